"""Macros (issue 10): the list and editing pages, and a macro put in a ticket's reply box."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.common.exceptions import DomainError, NotFound, PermissionDenied
from comptoir.common.ids import parse_row_id
from comptoir.macros.placeholders import PLACEHOLDERS
from comptoir.macros.selectors import macro_get, macro_list, macro_may_manage, macro_text_for
from comptoir.macros.services import macro_create, macro_delete, macro_update

from ..forms import MessageForm
from ..macro_forms import MacroForm
from .common import agent_required, ticket_or_404
from .tickets import _ticket_context


def _page(request: HttpRequest, form: MacroForm, status: int = 200, macro=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    macros = macro_list(actor=request.user)
    context = {
        "form": form, "macro": macro, "placeholders": PLACEHOLDERS.values(),
        "macros": [(m, macro_may_manage(actor=request.user, macro=m)) for m in macros],
    }  # fmt: skip
    return render(request, "desk/macros.html", context, status=status)


def _save(request: HttpRequest, form: MacroForm, save, done: str) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    """Run ``save`` with the form's data; ``None`` (the form shows why) when it is refused."""
    if not form.is_valid():
        return None
    try:
        save(form.data_for_service())
    except PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    messages.success(request, done)
    return redirect("desk:macros")


@agent_required
def macros(request: HttpRequest) -> HttpResponse:
    """Shared macros and one's own; a new one (shared only for supervisors)."""
    may_share = request.user.supervises
    if request.method != "POST":
        return _page(request, MacroForm(may_share=may_share))
    form = MacroForm(request.POST, may_share=may_share)
    done = _save(request, form, lambda data: macro_create(actor=request.user, data=data), _("Macro saved."))
    return done or _page(request, form, status=400)


def _managed(request: HttpRequest, macro_id: int):  # type: ignore[no-untyped-def]
    try:
        macro = macro_get(actor=request.user, macro_id=macro_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not macro_may_manage(actor=request.user, macro=macro):
        raise Forbidden(_("Only supervisors can manage shared macros."))
    return macro


@agent_required
def macro_edit(request: HttpRequest, macro_id: int) -> HttpResponse:
    macro = _managed(request, macro_id)
    if request.method != "POST":
        initial = {f: getattr(macro, f) for f in ("name", "body_fr", "body_en", "set_status", "set_priority")}
        return _page(request, MacroForm(initial={**initial, "set_team": macro.set_team_id}), macro=macro)
    form = MacroForm(request.POST)
    save = lambda data: macro_update(actor=request.user, macro_id=macro.pk, data=data)  # noqa: E731
    return _save(request, form, save, _("Macro saved.")) or _page(request, form, status=400, macro=macro)


@agent_required
@require_POST
def macro_delete_view(request: HttpRequest, macro_id: int) -> HttpResponse:
    macro = _managed(request, macro_id)
    macro_delete(actor=request.user, macro_id=macro.pk)
    messages.success(request, _("Macro deleted."))
    return redirect("desk:macros")


@agent_required
@require_POST
def ticket_macro_insert(request: HttpRequest, reference: str) -> HttpResponse:
    """Put the chosen macro's text, filled for this ticket in its language, in the reply box,
    keeping what was typed. htmx swaps the reply form; without JavaScript the page comes back
    whole. Nothing is saved: the macro's actions apply when the reply is sent."""
    ticket = ticket_or_404(request, reference)
    typed = (request.POST.get("body") or "").strip()
    initial = {
        "body": typed, "internal": request.POST.get("internal") in ("1", "on", "true"),
        "configuration_items": request.POST.get("configuration_items", "")[:1000],
    }  # fmt: skip
    macro_id = parse_row_id(request.POST.get("macro_pick", ""))
    macro = None
    if macro_id is not None:
        try:
            macro = macro_get(actor=request.user, macro_id=macro_id)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        text = macro_text_for(actor=request.user, macro=macro, ticket=ticket)
        initial.update(body=f"{typed}\n\n{text}" if typed else text, macro=macro.pk)
    context = _ticket_context(request, ticket, message_form=MessageForm(initial=initial), chosen_macro=macro)
    if request.htmx:
        return render(request, "desk/_reply_form.html", context)
    return render(request, "desk/ticket.html", context)
