"""The queue and "next ticket"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.accounts.selectors import agent_team_ids
from comptoir.assignment import services as assignment
from comptoir.common.exceptions import DomainError
from comptoir.tickets import selectors as tickets

from .common import agent_required

# The most urgent 25 first, then "More tickets" (htmx): a page an agent reads at a glance, and
# half the rendering of 50 rows, which dominates the page's time once the query is indexed.
QUEUE_PAGE_SIZE = 25


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "team")
    team_ids = None if scope == "all" else agent_team_ids(user=request.user)
    try:
        page = tickets.ticket_queue(
            actor=request.user,
            team_ids=team_ids,
            cursor=request.GET.get("cursor") or None,
            limit=QUEUE_PAGE_SIZE,
        )
    except DomainError as exc:  # a tampered cursor: say so, do not guess a page
        return render(request, "desk/queue.html", {"error": exc.message, "scope": scope}, status=400)
    if request.htmx:  # the next rows only
        return render(request, "desk/queue.html#rows", {"page": page, "scope": scope})
    # First page: what waits for this agent's decision, above the queue (issue 8).
    waiting = tickets.waiting_for(actor=request.user) if not request.GET.get("cursor") else None
    return render(request, "desk/queue.html", {"page": page, "scope": scope, "waiting": waiting})


@agent_required
@require_POST
def next_ticket(request: HttpRequest) -> HttpResponse:
    try:
        ticket = assignment.ticket_next(agent=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("desk:queue")
    if ticket is None:
        messages.info(request, _("No ticket is waiting for you right now."))
        return redirect("desk:queue")
    return redirect("desk:ticket", reference=ticket.reference)
