"""Questions a desk template asks of ``tickets.permissions.TicketActions`` that need an argument."""

from __future__ import annotations

from django import template

from comptoir.tickets.models import Message
from comptoir.tickets.permissions import TicketActions

register = template.Library()


@register.filter
def approves(actions: TicketActions, message: Message) -> bool:
    """``{% if actions|approves:m %}``: this actor may approve the held reply ``m``."""
    return actions.approves(message)
