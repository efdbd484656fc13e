from django_tasks import task

from .signin import signin_link_send


@task()
def signin_link_send_task(email: str, language: str = "en") -> None:
    """Idempotent enough: a retry sends one more link, within the per-address allowance."""
    signin_link_send(email=email, language=language)
