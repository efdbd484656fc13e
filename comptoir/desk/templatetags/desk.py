"""Questions a desk template asks of ``tickets.permissions.TicketActions`` that need an argument,
and what waits with a held reply."""

from __future__ import annotations

from django import template

from comptoir.tickets.models import Message
from comptoir.tickets.permissions import TicketActions
from comptoir.tickets.selectors import held_changes_described

register = template.Library()


@register.filter
def approves(actions: TicketActions, message: Message) -> bool:
    """``{% if actions|approves:m %}``: this actor may approve the held reply ``m``."""
    return actions.approves(message)


@register.filter
def held_changes(kept: dict) -> str:
    """``{{ m.held_changes|held_changes }}``: what waits with a held reply, in words."""
    return held_changes_described(kept=kept) if kept else ""
