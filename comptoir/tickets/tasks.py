from django_tasks import task

from .sla import sla_check


@task()
def sla_check_task(ticket_id: int) -> int:
    """Fire what is due on one ticket (scheduled for its next warning or due instant)."""
    return len(sla_check(ticket_id=ticket_id))


@task()
def ticket_enrich_task(ticket_id: int, context: dict | None = None) -> bool:
    """The analysis intake left to the worker (``tickets.enrichment``)."""
    from .enrichment import ticket_enrich

    return ticket_enrich(ticket_id=ticket_id, context=context)
