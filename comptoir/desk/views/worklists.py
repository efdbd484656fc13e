"""Work lists on the desk: saved views, the people autocomplete, and a ticket's place in a list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.common.exceptions import DomainError, PermissionDenied
from comptoir.common.ids import parse_row_id
from comptoir.tickets.models import Ticket
from comptoir.worklists import selectors as worklists
from comptoir.worklists.services import saved_view_create, saved_view_delete

from ..forms import SavedViewForm
from .common import agent_required


def worklist_nav(request: HttpRequest, ticket: Ticket) -> dict[str, Any] | None:
    """Previous and next ticket of the list the agent came from (``?from=<the list's query>``)."""
    # Also from a form posted on the ticket page (its hidden ``from``), when the page is shown again.
    raw = request.GET.get("from") or (request.POST.get("from") if request.method == "POST" else None)
    if raw is None:
        return None
    query = worklists.worklist_query_parse(raw[:1000])
    prev_ref, next_ref = worklists.worklist_neighbours(actor=request.user, query=query, ticket=ticket)
    return {
        "qs": query.querystring(),
        "label": worklists.VIEWS[query.view],
        "prev": prev_ref,
        "next": next_ref,
    }


@agent_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = worklists.worklist_query_parse(request.POST.get("query", "")[:1000]).querystring()
    if form.is_valid():
        try:
            saved_view_create(
                actor=request.user, name=form.cleaned_data["name"], query=query,
                shared=form.cleaned_data["shared"],
            )  # fmt: skip
        except PermissionDenied as exc:
            raise Forbidden(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("View saved."))
    else:
        messages.error(request, _("Give the view a name."))
    return redirect(f"{reverse('desk:queue')}?{query}")


@agent_required
@require_POST
def saved_view_remove(request: HttpRequest, view_id: str) -> HttpResponse:
    pk = parse_row_id(view_id)
    if pk is None:
        raise Http404
    try:
        saved_view_delete(actor=request.user, view_id=pk)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("View deleted."))
    return redirect("desk:queue")


@agent_required
def agent_autocomplete(request: HttpRequest) -> HttpResponse:
    """``<option>``s for a datalist: at most ten active agents matching what was typed."""
    q = request.GET.get("q", request.GET.get("assignee", ""))
    agents = worklists.agent_suggest(actor=request.user, q=q)
    return render(request, "desk/_suggestions.html", {"agents": agents})


@agent_required
def customer_autocomplete(request: HttpRequest) -> HttpResponse:
    """``<option>``s for a datalist: at most ten customers matching two characters or more."""
    q = request.GET.get("q", "")
    customers = worklists.customer_suggest(actor=request.user, q=q)
    return render(request, "desk/_suggestions.html", {"customers": customers})
