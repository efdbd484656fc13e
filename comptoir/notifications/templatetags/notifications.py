"""Template helpers for notifications: the SLA target's name, the bell's count."""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.sla.models import Target

from ..selectors import approvals_open, bell_state, presence_for_tickets, presence_stamp, unread_label

register = template.Library()


@register.filter
def sla_target(code: str) -> str:
    """An SLA target's name in the reader's language ("first response"), its code if unknown."""
    return str(Target(code).label) if code in Target.values else code


@register.simple_tag(takes_context=True)
def bell(context: dict[str, Any]) -> dict[str, Any]:
    """The bell's unread count (capped, shown as "99+"), the desk's change stamp for live pages,
    and whether the header offers the approvals list (only to those who may approve)."""
    user = context["request"].user
    count, stamp = bell_state(user=user)
    return {
        "count": count, "label": unread_label(count), "stamp": stamp,
        "approvals": approvals_open(user=user),
    }  # fmt: skip


@register.simple_tag(takes_context=True)
def ticket_presence(context: dict[str, Any], ticket: Any) -> list[dict[str, Any]]:
    """Who else has this ticket open now, for the page's first render (then the poll)."""
    user = context["request"].user
    return presence_for_tickets(actor=user, ticket_ids=[ticket.pk]).get(ticket.pk, [])


register.filter("presence_stamp", presence_stamp)
