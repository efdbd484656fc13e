"""What every desk page shares: who may open the desk, the ticket named in the URL, one action run."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from comptoir.common.exceptions import DomainError, InvalidInput, PermissionDenied
from comptoir.common.ids import parse_row_id
from comptoir.routing.selectors import team_get
from comptoir.tickets import selectors as tickets
from comptoir.tickets.models import Ticket
from comptoir.worklists.selectors import worklist_query_parse


def agent_required(view):  # type: ignore[no-untyped-def]
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not (request.user.is_agent or request.user.is_superuser):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def ticket_or_404(request: HttpRequest, reference: str) -> Ticket:
    try:
        return tickets.ticket_get(actor=request.user, reference=reference)
    except DomainError as exc:
        raise Http404(exc.message) from exc


def act(request: HttpRequest, reference: str, action: Callable[[Ticket], Any], done: str) -> HttpResponse:
    """Run one action on a ticket and go back to its page, the outcome shown there.

    A refusal for the actor's role (``PermissionDenied``, decided by ``tickets.permissions``) is a
    403, as on the API, and nothing is recorded; any other refusal (a closed ticket, a missing
    reason) is shown on the ticket page.
    """
    ticket = ticket_or_404(request, reference)
    try:
        action(ticket)
    except PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return ticket_redirect(request, reference)


def from_list(request: HttpRequest) -> str | None:
    """The work list a ticket page was opened from (``from``, in the form posted or the URL), as
    its canonical query: parsed and rebuilt, so only a list's own filters ever come back."""
    raw = request.POST.get("from") if request.method == "POST" else None
    raw = raw or request.GET.get("from")
    if not raw:
        return None
    return worklist_query_parse(raw[:1000]).querystring()


def ticket_redirect(request: HttpRequest, reference: str) -> HttpResponse:
    """Back to a ticket's page after an action on it, still in the list it was opened from (its
    previous/next bar and j/k kept). Always this site's ticket URL: never an open redirect."""
    url = reverse("desk:ticket", kwargs={"reference": reference})
    query = from_list(request)
    return redirect(f"{url}?{urlencode({'from': query})}" if query is not None else url)


def chosen_team(value: str):  # type: ignore[no-untyped-def]
    """A team chosen in a form's select, by id; empty means none chosen."""
    if not value:
        return None
    team_id = parse_row_id(value)
    team = team_get(team_id=team_id) if team_id is not None else None
    if team is None:
        raise InvalidInput(_("Unknown team."), field="team")
    return team
