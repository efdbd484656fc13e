"""Bulk actions on the tickets ticked in any list, their undo; merge, split and snooze a ticket.

Lists carry ``<input type="checkbox" name="ticket" value="REFERENCE" form="bulk-form">`` and
include ``desk/_bulk_bar.html``; the outcome comes back as a message on the page it was sent
from, and the bar offers "Undo" while the change can still be undone (the session remembers it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from comptoir.accounts.selectors import agent_get_by_email
from comptoir.common.exceptions import DomainError, InvalidInput, PermissionDenied
from comptoir.common.ids import parse_row_id
from comptoir.macros.placeholders import PLACEHOLDERS, braced, placeholders_render, unknown_placeholders
from comptoir.macros.selectors import macro_get, macro_text_for
from comptoir.tickets import selectors as tickets
from comptoir.tickets.bulk import Action, BulkResult, bulk_undo, tickets_bulk
from comptoir.tickets.merge import ticket_merge, ticket_split, ticket_unmerge
from comptoir.tickets.snooze import ticket_snooze, ticket_wake
from comptoir.triage.services import triage_accept_many

from .common import agent_required, chosen_team, ticket_or_404, ticket_redirect

UNDO_KEY = "desk_bulk_undo"


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the list the form was sent from (a local URL only), else the queue."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("desk:queue")


def _values(request: HttpRequest, action: str) -> tuple[str, dict[str, Any]]:
    """The service's action and value from the toolbar's fields (lookups through selectors)."""
    post = request.POST
    if action == "assign_me":
        return Action.ASSIGN, {"assignee": request.user}
    if action == "unassign":
        return Action.ASSIGN, {"assignee": None}
    if action == Action.ASSIGN:
        agent = agent_get_by_email(email=post.get("assignee", "").strip())
        if agent is None:
            raise InvalidInput(_("Choose an agent by their email address."), field="assignee")
        return action, {"assignee": agent}
    if action == Action.TEAM:
        team = chosen_team(post.get("team", ""))
        if team is None:
            raise InvalidInput(_("Choose the value to set."), field="team")
        return action, {"team": team}
    if action == Action.CATEGORY:
        category = tickets.category_get(slug=post.get("category", ""))
        if category is None:
            raise InvalidInput(_("Choose the value to set."), field="category")
        return action, {"category": category}
    if action in (Action.STATUS, Action.PRIORITY):
        return action, {action: post.get(action, "")}
    if action in (Action.REPLY, Action.NOTE):
        return action, _text_values(request)
    return action, {}


def _text_values(request: HttpRequest) -> dict[str, Any]:
    """A bulk reply or note: a chosen macro (its text in each ticket's language) or the free text,
    placeholders filled for each ticket by the macros' one engine (``macros.placeholders``)."""
    post, actor = request.POST, request.user
    values: dict[str, Any] = {"body": post.get("body", ""), "submission": post.get("submission", "")[:64]}
    if post.get("macro"):
        macro_id = parse_row_id(post["macro"])
        if macro_id is None:
            raise InvalidInput(_("No such macro."), field="macro")
        macro = macro_get(actor=actor, macro_id=macro_id)  # type: ignore[arg-type]
        values["text_for"] = lambda ticket: macro_text_for(actor=actor, macro=macro, ticket=ticket)  # type: ignore[arg-type]
    elif values["body"].strip():
        unknown = unknown_placeholders(values["body"])
        if unknown:
            raise InvalidInput(
                _("Unknown placeholder %(names)s; use one of: %(known)s.")
                % {"names": braced(unknown), "known": braced(PLACEHOLDERS)},
                field="body",
            )
        body = values["body"]
        values["text_for"] = lambda ticket: placeholders_render(body, ticket=ticket, actor=actor)  # type: ignore[arg-type]
    return values


def _report(request: HttpRequest, result: BulkResult, *, undone: bool = False) -> None:
    """One message: "12 changed, 1 refused: CPT-000003 (why)"."""
    count = len(result.changed)
    text = (
        ngettext("%(count)s ticket restored", "%(count)s tickets restored", count)
        if undone
        else ngettext("%(count)s ticket changed", "%(count)s tickets changed", count)
    ) % {"count": count}
    if result.unchanged:
        text += ", " + ngettext("%(count)s already so", "%(count)s already so", len(result.unchanged)) % {
            "count": len(result.unchanged)
        }
    if result.refused:
        reasons = "; ".join(
            _("%(reference)s (%(reason)s)") % {"reference": ref, "reason": reason}
            for ref, reason in result.refused
        )
        text += ", " + ngettext(
            "%(count)s refused: %(reasons)s", "%(count)s refused: %(reasons)s", len(result.refused)
        ) % {"count": len(result.refused), "reasons": reasons}
    (messages.warning if result.refused else messages.success)(request, text + ".")


@agent_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    references = request.POST.getlist("ticket")
    try:
        if request.POST.get("action") == Action.ACCEPT_TRIAGE:
            result = triage_accept_many(actor=request.user, references=references)
        else:
            action, values = _values(request, request.POST.get("action", ""))
            result = tickets_bulk(actor=request.user, references=references, action=action, **values)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request)
    _report(request, result)
    if result.bulk_id is not None:
        request.session[UNDO_KEY] = {"id": result.bulk_id, "until": result.undo_until.isoformat()}
    return _back(request)


@agent_required
@require_POST
def bulk_undo_view(request: HttpRequest, bulk_id: int) -> HttpResponse:
    request.session.pop(UNDO_KEY, None)
    try:
        result = bulk_undo(actor=request.user, bulk_id=bulk_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        _report(request, result, undone=True)
    return _back(request)


def _run(request: HttpRequest, reference: str, action: Any, done: Any) -> HttpResponse:
    """Run a ticket action; a role refusal is a 403, another refusal a message on the ticket page.
    ``done(outcome)`` gives the success message and the reference of the page to go to."""
    try:
        outcome = action()
    except PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return ticket_redirect(request, reference)
    text, go_to = done(outcome)
    messages.success(request, text)
    return ticket_redirect(request, go_to)


@agent_required
@require_POST
def ticket_merge_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Merge this ticket into the one named (the survivor)."""
    source = ticket_or_404(request, reference)
    target_ref = request.POST.get("target", "").strip().upper()

    def action() -> Any:
        target_id = tickets.ticket_id_get(actor=request.user, reference=target_ref)
        return ticket_merge(actor=request.user, source_id=source.pk, target_id=target_id)

    def done(merge: Any) -> tuple[str, str]:
        values = {"reference": source.reference, "survivor": merge.target.reference}
        return _(
            "%(reference)s was merged into %(survivor)s; the customer was told."
        ) % values, merge.target.reference

    return _run(request, reference, action, done)


@agent_required
@require_POST
def merge_undo_view(request: HttpRequest, reference: str, merge_id: int) -> HttpResponse:
    ticket_or_404(request, reference)

    def done(merge: Any) -> tuple[str, str]:
        return _("The merge was undone; %(reference)s has its messages back.") % {
            "reference": merge.source.reference
        }, merge.source.reference  # fmt: skip

    return _run(request, reference, lambda: ticket_unmerge(actor=request.user, merge_id=merge_id), done)


@agent_required
@require_POST
def ticket_split_view(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    ticket = ticket_or_404(request, reference)

    def done(new: Any) -> tuple[str, str]:
        return _("The message is now the new ticket %(reference)s.") % {
            "reference": new.reference
        }, new.reference

    return _run(
        request,
        reference,
        lambda: ticket_split(actor=request.user, ticket_id=ticket.pk, message_id=message_id),
        done,
    )


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(
        label=gettext_lazy("Snooze until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


@agent_required
@require_POST
def ticket_snooze_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a date and time to snooze until."))
        return ticket_redirect(request, reference)
    until = form.cleaned_data["until"]

    def done(_ticket: Any) -> tuple[str, str]:
        return _("Snoozed: the ticket leaves the lists and comes back on its own."), reference

    return _run(
        request, reference, lambda: ticket_snooze(actor=request.user, ticket_id=ticket.pk, until=until), done
    )


@agent_required
@require_POST
def ticket_wake_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    if ticket.snoozed_until is None:
        raise Http404
    return _run(
        request, reference, lambda: ticket_wake(actor=request.user, ticket_id=ticket.pk),
        lambda _t: (_("The ticket is back in the lists."), reference),
    )  # fmt: skip
