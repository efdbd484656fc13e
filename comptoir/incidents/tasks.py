from django_tasks import task


@task()
def incident_broadcast_task(update_id: int) -> None:
    """Send an incident update to its affected customers, batch after batch; safe to repeat."""
    from .broadcast import broadcast_run

    broadcast_run(update_id=update_id)
