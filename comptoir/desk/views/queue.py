"""The desk's first page (the work lists) and "next ticket"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.assignment import services as assignment
from comptoir.common.exceptions import DomainError
from comptoir.voice.selectors import voice_flags_attach
from comptoir.worklists import selectors as worklists

from ..forms import SavedViewForm, WorklistFilterForm
from .common import agent_required

# The most urgent 25 first, then "More tickets" (htmx): a page an agent reads at a glance, and
# half the rendering of 50 rows, which dominates the page's time once the query is indexed.
QUEUE_PAGE_SIZE = 25


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    """The desk's first page: a work list (default: the agent's own open tickets, then what waits
    for their decision), its filters and sort in the URL, the sidebar of views with their counts."""
    query = worklists.worklist_query_parse(request.GET)
    cursor = request.GET.get("cursor") or None
    ctx: dict = {"query": query, "qs": query.querystring(), "title": worklists.VIEWS[query.view]}
    page = None
    if query.view != worklists.WAITING:
        try:
            page = worklists.worklist_page(
                actor=request.user, query=query, cursor=cursor, limit=QUEUE_PAGE_SIZE
            )
        except DomainError as exc:  # a tampered cursor: say so, do not guess a page
            return render(request, "desk/queue.html", {**ctx, "error": exc.message}, status=400)
    ctx["page"] = page
    if page is not None:  # issue 12: the Unhappy and High effort badges of the page's rows
        voice_flags_attach(tickets=page.items)
    if request.htmx:  # the next rows only
        return render(request, "desk/queue.html#rows", ctx)
    if not cursor and query.view in (worklists.MINE, worklists.WAITING):
        ctx["waiting"] = worklists.worklist_waiting(actor=request.user)
    counts = worklists.worklist_counts(actor=request.user)
    if "waiting" in ctx:
        counts[worklists.WAITING] = sum(len(rows) for rows in ctx["waiting"].values())
    ctx.update(
        counts=counts,
        sidebar=[(slug, label, counts.get(slug)) for slug, label in worklists.VIEWS.items()],
        saved_views=worklists.saved_views_for(actor=request.user),
        filter_form=WorklistFilterForm(initial=query.params()),
        save_form=SavedViewForm(initial={"query": ctx["qs"]}),
    )
    if query.filtered and page is not None:
        ctx["bounded_count"] = worklists.worklist_count_bounded(actor=request.user, query=query)
    return render(request, "desk/queue.html", ctx)


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
