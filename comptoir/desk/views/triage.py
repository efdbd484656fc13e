"""The triage queue and which team receives each category."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.common.exceptions import DomainError
from comptoir.common.ids import parse_row_id
from comptoir.routing.selectors import team_default, team_list
from comptoir.tickets import selectors as tickets
from comptoir.triage.selectors import triage_queue
from comptoir.triage.services import category_team_set

from .common import agent_required, chosen_team


@agent_required
def triage(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/triage.html", {"tickets": triage_queue(limit=100)})


@agent_required
def categories(request: HttpRequest) -> HttpResponse:
    """Which team receives each category's tickets: supervisors and administrators set it."""
    if not request.user.supervises:
        raise PermissionDenied
    if request.method == "POST":
        category, team = request.POST.get("category", ""), request.POST.get("team", "")
        try:
            category_team_set(
                actor=request.user,
                category_id=parse_row_id(category) or 0,
                team=chosen_team(team) if team else None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Category routing saved."))
        return redirect("desk:categories")
    context = {"categories": tickets.category_list(), "teams": list(team_list()), "default": team_default()}
    return render(request, "desk/categories.html", context)
