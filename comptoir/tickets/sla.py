"""A ticket's service-level clocks, computed with the sla engine from the ticket's own history.

The clock pauses while the ticket waits on the customer: the pauses are read from the status
events, so recomputing after any change gives the same answer as following the ticket live.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from comptoir.sla.models import Target
from comptoir.sla.selectors import policy_for, sla_deadline

from .models import Ticket, TicketEvent


def _pauses(ticket: Ticket) -> list[tuple[datetime, datetime | None]]:
    pauses: list[tuple[datetime, datetime | None]] = []
    started: datetime | None = None
    events = TicketEvent.objects.filter(ticket_id=ticket.pk, field="status").order_by("id")
    for event in events.only("new", "created_at"):
        if event.new == Ticket.Status.WAITING_CUSTOMER and started is None:
            started = event.created_at
        elif event.new != Ticket.Status.WAITING_CUSTOMER and started is not None:
            pauses.append((started, event.created_at))
            started = None
    if started is not None:
        pauses.append((started, None))
    return pauses


def ticket_sla_refresh(*, ticket: Ticket) -> Ticket:
    """Choose the policy (priority, category; tier from issue 4's key accounts) and store due times.

    Runs inside the caller's transaction. With no matching policy, every clock is cleared.
    """
    category = ticket.category.slug if ticket.category_id else None
    policy = policy_for(priority=ticket.priority, tier=None, category_slug=category)
    first_due = resolution_due = warning = None
    if policy is not None:
        pauses = _pauses(ticket) if ticket.pk else []
        if ticket.first_response_at is None:
            first = sla_deadline(
                policy=policy, target=Target.FIRST_RESPONSE, started_at=ticket.created_at, pauses=pauses
            )
            first_due, warning = first.due_at, first.warning_at
        if ticket.is_open:
            resolution = sla_deadline(
                policy=policy, target=Target.RESOLUTION, started_at=ticket.created_at, pauses=pauses
            )
            resolution_due = resolution.due_at
            warning = min((w for w in (warning, resolution.warning_at) if w), default=None)
    Ticket.objects.filter(pk=ticket.pk).update(
        sla_policy=policy,
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
        sla_warning_at=warning,
    )
    ticket.sla_policy = policy
    ticket.first_response_due_at, ticket.resolution_due_at, ticket.sla_warning_at = (
        first_due,
        resolution_due,
        warning,
    )
    return ticket


def sla_state(ticket: Ticket) -> dict:
    """What the API and the desk show: due times, the next warning, and whether one is missed."""
    now = timezone.now()
    breached = any(
        due is not None and due < now
        for due in (ticket.first_response_due_at, ticket.resolution_due_at if ticket.is_open else None)
    )
    return {
        "policy": ticket.sla_policy.name if ticket.sla_policy_id and ticket.sla_policy else None,
        "first_response_due": ticket.first_response_due_at,
        "resolution_due": ticket.resolution_due_at,
        "warning_at": ticket.sla_warning_at,
        "breached": breached,
    }
