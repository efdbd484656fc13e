"""Suggestions on a desk ticket (issue 11, item 4): relevant articles and similar resolved tickets.

The card is rendered with the ticket page (``{% ticket_suggestions_card ticket %}``); while the
worker has not computed them it says so and htmx asks this view again every few seconds, until
the card comes back without its polling trigger. A ticket older than the feature has its
suggestions queued for the worker on opening: they are never computed in the request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from comptoir.search.suggestions import ticket_suggestions, ticket_suggestions_request
from comptoir.tickets.models import Ticket
from comptoir.tickets.permissions import ticket_actions

from .common import agent_required, ticket_or_404

TEMPLATE = "desk/_ticket_suggestions.html"


def suggestions_context(
    request: HttpRequest, ticket: Ticket, *, may_reply: bool | None = None
) -> dict[str, Any]:
    """The card's content; queues the computation for a ticket that never had it."""
    ticket_suggestions_request(ticket=ticket)
    if may_reply is None:
        may_reply = ticket_actions(actor=request.user, ticket=ticket).reply  # type: ignore[arg-type]
    return {
        "ticket": ticket,
        "suggestions": ticket_suggestions(actor=request.user, ticket=ticket),
        "may_reply": may_reply,
    }


@agent_required
@require_GET
def suggestions_card(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    return render(request, TEMPLATE, suggestions_context(request, ticket))
