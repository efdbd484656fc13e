"""Plain dicts for the API schemas: one place that decides what a ticket looks like outside."""

from __future__ import annotations

from typing import Any

from comptoir.tickets.models import Message, Ticket, TicketEvent
from comptoir.tickets.review import review_reason_text
from comptoir.tickets.sla import sla_state


def ticket(t: Ticket, *, customer: Any = None) -> dict[str, Any]:
    customer = customer or t.customer
    return {
        "reference": t.reference,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority,
        "category": t.category.slug if t.category_id else None,
        "team": t.team.name if t.team_id else None,
        "assignee": t.assignee.email if t.assignee_id else None,
        "channel": t.channel,
        "language": t.language,
        "customer": {"id": customer.pk, "name": customer.name, "tier": customer.tier},
        "level": t.level,
        "analysing": t.analysing,
        "review_reason": review_reason_text(t.review_reason),
        "version": t.version,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "sla": sla_state(t),
    }


def message(m: Message) -> dict[str, Any]:
    return {
        "id": m.pk,
        "visibility": m.visibility,
        "kind": m.kind,
        "author": (m.author.email if m.author_id else None),
        "channel": m.channel,
        "body": m.body,
        "hold_reason": review_reason_text(m.hold_reason) if m.hold == Message.Hold.UNPROVEN else "",
        "configuration_items": [c.name for c in m.configuration_items.all()],
        "awaiting_approval_by": m.held_for.email if m.held_for_id else None,
        "attachments": [
            {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in m.attachments.all()
        ],
        "created_at": m.created_at,
    }


def sentiment(row: Any) -> dict[str, Any] | None:
    """A message's ``voice.MessageSentiment`` as the API shows it (None: not scored yet)."""
    return None if row is None else {"label": row.label, "score": row.score}


def event(e: TicketEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "actor": e.actor_display,
        "field": e.field,
        "old": e.old,
        "new": e.new,
        "text": e.sentence,
        "created_at": e.created_at,
    }
