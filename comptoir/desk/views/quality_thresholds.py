"""Quality thresholds and corrective actions on the desk (issue 12, item 7).

Supervisors list, create, edit and deactivate thresholds (others get a 403). Corrective actions
are listed for their owner (supervisors: all of them), each linking to the dashboard's tickets of
its figure; the owner or a supervisor marks one done with a note.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.common.exceptions import DomainError, NotFound, PermissionDenied
from comptoir.insights import thresholds as quality
from comptoir.insights.models import CorrectiveAction

from ..quality_forms import ActionDoneForm, ThresholdForm
from .common import agent_required


def _supervisor(request: HttpRequest) -> None:
    if not request.user.supervises:
        raise Forbidden(_("Only supervisors manage quality thresholds."))


@agent_required
def thresholds(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    rows = [
        (t, quality.threshold_sentence(t), quality.value_text(t.figure, t.last_value))
        for t in quality.threshold_list(actor=request.user)
    ]
    return render(request, "desk/quality/thresholds.html", {"rows": rows})


def _threshold_form(request: HttpRequest, threshold_id: int | None) -> HttpResponse:
    _supervisor(request)
    try:
        current = (
            quality.threshold_get(actor=request.user, threshold_id=threshold_id) if threshold_id else None
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.method != "POST":
        form = ThresholdForm(initial=ThresholdForm.initial_from(current) if current else None)
        return render(request, "desk/quality/threshold_form.html", {"form": form, "threshold": current})
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            if current is None:
                quality.threshold_create(actor=request.user, data=form.data_for_service())
            else:
                quality.threshold_update(
                    actor=request.user, threshold_id=current.pk, data=form.data_for_service()
                )
        except PermissionDenied as exc:
            raise Forbidden(exc.message) from exc
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Quality threshold saved."))
            return redirect("desk:quality_thresholds")
    context = {"form": form, "threshold": current}
    return render(request, "desk/quality/threshold_form.html", context, status=400)


@agent_required
def threshold_new(request: HttpRequest) -> HttpResponse:
    return _threshold_form(request, None)


@agent_required
def threshold_edit(request: HttpRequest, threshold_id: int) -> HttpResponse:
    return _threshold_form(request, threshold_id)


@agent_required
@require_POST
def threshold_deactivate(request: HttpRequest, threshold_id: int) -> HttpResponse:
    try:
        quality.threshold_deactivate(actor=request.user, threshold_id=threshold_id)
    except PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Quality threshold deactivated."))
    return redirect("desk:quality_thresholds")


@agent_required
def actions(request: HttpRequest) -> HttpResponse:
    """Open actions by default (``?status=done``, ``?status=all``); supervisors see everyone's
    unless ``?mine=1``."""
    status = request.GET.get("status", "open")
    chosen = status if status in CorrectiveAction.Status.values else None
    mine = request.GET.get("mine") == "1"
    rows = quality.action_list(actor=request.user, status=chosen, mine=mine)
    context = {
        "rows": [(a, quality.action_tickets_url(a)) for a in rows],
        "status": chosen or "all", "mine": mine,
    }  # fmt: skip
    return render(request, "desk/quality/actions.html", context)


@agent_required
def action_detail(request: HttpRequest, action_id: int) -> HttpResponse:
    """One action, its figure's tickets, and "mark done" with a note (owner or supervisor)."""
    try:
        action = quality.action_get(actor=request.user, action_id=action_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = ActionDoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                quality.action_done(actor=request.user, action_id=action.pk, note=form.cleaned_data["note"])
            except DomainError as exc:
                form.add_error("note", exc.message)
            else:
                messages.success(request, _("Corrective action marked done."))
                return redirect("desk:quality_action", action_id=action.pk)
        status = 400
    context = {
        "action": action, "form": form, "tickets_url": quality.action_tickets_url(action),
        "value": quality.value_text(action.figure, action.figure_value),
        "bound": quality.value_text(action.figure, action.threshold_value),
    }  # fmt: skip
    return render(request, "desk/quality/action.html", context, status=status)
