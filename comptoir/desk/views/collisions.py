"""Collisions without locks, checked when a reply is sent (the reply view calls these).

The reply form carries the newest message id the page showed (``seen_message``) and, once the
agent was warned, the holder they chose to answer over (``holder_ok``): a public reply is held
back and the page shown again, with what changed, when the customer wrote or another agent
replied since, or when another agent holds the ticket. Sending again confirms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from comptoir.assignment.services import ticket_pick
from comptoir.common.exceptions import DomainError
from comptoir.common.ids import parse_row_id
from comptoir.notifications.selectors import last_message_id, messages_since
from comptoir.tickets.models import Ticket
from comptoir.tickets.permissions import ticket_actions


def reply_check(request: HttpRequest, ticket: Ticket, *, internal: bool) -> dict[str, Any] | None:
    """What the agent must see before this public reply goes, or None to send it.

    Only forms from the ticket page carry ``seen_message``; an internal note reaches no customer.
    """
    if internal or "seen_message" not in request.POST:
        return None
    seen = parse_row_id(request.POST.get("seen_message")) or 0
    news = messages_since(ticket=ticket, after_id=seen, actor=request.user) if seen else []
    holder = ticket.assignee if ticket.assignee_id not in (None, request.user.pk) else None
    if holder is not None and request.POST.get("holder_ok") == str(holder.pk):
        holder = None
    if not news and holder is None:
        return None
    return {"news": news, "holder": holder, "seen": last_message_id(ticket=ticket)}


def reply_take(request: HttpRequest, ticket: Ticket, *, internal: bool) -> None:
    """A public reply on an unassigned ticket takes it, for an agent who may pick it: another
    agent will not answer the same customer a second time."""
    if internal or not ticket_actions(actor=request.user, ticket=ticket).pick:
        return
    try:
        ticket_pick(agent=request.user, ticket_id=ticket.pk)
    except DomainError:  # taken meanwhile, or closed by the reply's status: nothing to take
        return
    messages.info(request, _("You now hold this ticket."))
