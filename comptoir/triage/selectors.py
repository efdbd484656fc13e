"""Triage reads: the triage queue."""

from __future__ import annotations

from comptoir.tickets.models import Ticket

from .models import TriageDecision


def triage_queue(*, limit: int = 50) -> list[Ticket]:
    """Open tickets triage could not classify with confidence, oldest first."""
    ids = list(
        TriageDecision.objects.filter(needs_review__in=[True], ticket__is_open__in=[True])
        .order_by("id")
        .values_list("ticket_id", flat=True)[:limit]
    )
    tickets = Ticket.objects.filter(pk__in=ids).select_related("customer", "team", "triage")
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(tickets, key=lambda t: order[t.pk])


def triage_for(*, ticket_id: int) -> TriageDecision | None:
    return TriageDecision.objects.filter(ticket_id=ticket_id).first()
