from django_tasks import task

from .sla import sla_check, sla_sweep


@task()
def sla_check_task(ticket_id: int) -> int:
    """Fire what is due on one ticket (scheduled for its next warning or due instant)."""
    return len(sla_check(ticket_id=ticket_id))


@task()
def sla_sweep_task() -> int:
    return sla_sweep()
