"""Triage reads: the triage queue."""

from __future__ import annotations

from comptoir.tickets.models import Category, Ticket

from .models import TriageDecision


def triage_queue(*, limit: int = 50) -> list[Ticket]:
    """Open tickets triage could not classify with confidence, oldest first.

    Each ticket carries ``predicted_category``: the category its best guess names (None when no
    category has that label), so pages show a category's name rather than the model's label.
    """
    ids = list(
        TriageDecision.objects.filter(needs_review__in=[True], ticket__is_open__in=[True])
        .order_by("id")
        .values_list("ticket_id", flat=True)[:limit]
    )
    tickets = Ticket.objects.filter(pk__in=ids).select_related("customer", "team", "triage")
    order = {pk: i for i, pk in enumerate(ids)}
    rows = sorted(tickets, key=lambda t: order[t.pk])
    labels = {t.triage.label.lower()[:50] for t in rows if t.triage.label}
    categories = {c.slug: c for c in Category.objects.filter(slug__in=labels)} if labels else {}
    for t in rows:
        t.predicted_category = categories.get(t.triage.label.lower()[:50])
    return rows


def triage_for(*, ticket_id: int) -> TriageDecision | None:
    return TriageDecision.objects.filter(ticket_id=ticket_id).first()
