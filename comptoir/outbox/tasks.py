from django_tasks import task

from .services import delivery_send, delivery_sweep


@task()
def delivery_send_task(delivery_id: int) -> None:
    delivery_send(delivery_id=delivery_id)


@task()
def delivery_sweep_task() -> int:
    return delivery_sweep()
