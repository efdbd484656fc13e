from django_tasks import task

from .services import delivery_send


@task()
def delivery_send_task(delivery_id: int) -> None:
    delivery_send(delivery_id=delivery_id)
