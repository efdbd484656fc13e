"""Assignment reads: counts of picks, next-ticket assignments, skips, reassignments, escalations,
and the share of tickets resolved at level 1, all computed from the tickets' history.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, OuterRef

from comptoir.tickets.models import Ticket, TicketEvent


def assignment_stats(*, since: datetime) -> dict:
    events = TicketEvent.objects.filter(created_at__gte=since)
    counts = dict(
        events.filter(field__in=["pick", "next", "skip", "assignee", "escalation"])
        .values_list("field")
        .annotate(n=Count("id"))
        .values_list("field", "n")
    )
    # A reassignment changes an assignee who was already set (not a first assignment).
    reassignments = events.filter(field=TicketEvent.Kind.ASSIGNEE).exclude(old="").count()
    escalated = TicketEvent.objects.filter(ticket_id=OuterRef("pk"), field=TicketEvent.Kind.LEVEL, new="2")
    resolved = Ticket.objects.filter(resolved_at__gte=since).annotate(escalated=Exists(escalated))
    total = resolved.count()
    at_level_1 = resolved.filter(escalated=False).count()
    escalations = events.filter(field=TicketEvent.Kind.ESCALATION).exclude(old="level 2").count()
    return {
        "since": since,
        "picks": counts.get("pick", 0),
        "next_ticket": counts.get("next", 0),
        "skips": counts.get("skip", 0),
        "reassignments": reassignments,
        "escalations": escalations,
        "resolved": total,
        "resolved_at_level_1": at_level_1,
        "level_1_resolution_share": round(at_level_1 / total, 4) if total else None,
    }
