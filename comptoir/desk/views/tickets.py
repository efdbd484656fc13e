"""A ticket's page, its messages, its fields, held replies and held emails, its attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.common.exceptions import DomainError
from comptoir.common.http import attachment_response
from comptoir.macros.selectors import macro_list
from comptoir.macros.services import ReplyOutcome, reply_send
from comptoir.notifications.services import notifications_read_for_ticket
from comptoir.routing.selectors import team_escalation_target, team_level_2_list
from comptoir.tickets import selectors as tickets
from comptoir.tickets.files import incoming_files
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.permissions import ticket_actions
from comptoir.tickets.services import (
    UNSIGNED_CHANNELS,
    message_review,
    reply_release,
    ticket_flag_clear,
    ticket_update,
)
from comptoir.tickets.sla import sla_state
from comptoir.triage.selectors import triage_for

from ..forms import MessageForm, UpdateForm
from .collisions import reply_check, reply_take
from .common import act, agent_required, from_list, ticket_or_404, ticket_redirect
from .worklists import worklist_nav


def _update_form(request: HttpRequest, ticket: Ticket, data: Any = None) -> UpdateForm:
    """The fields form; without the assignee unless this actor may choose who holds the ticket."""
    assign = ticket_actions(actor=request.user, ticket=ticket).assign
    if data is not None:
        return UpdateForm(data, assign=assign)
    initial = {
        "version": ticket.version, "status": ticket.status, "priority": ticket.priority,
        "team": ticket.team_id, "assignee": ticket.assignee.email if ticket.assignee_id else "",
        "category": ticket.category.slug if ticket.category_id else "",
    }  # fmt: skip
    return UpdateForm(initial=initial, assign=assign)


def _signature(request: HttpRequest, ticket: Ticket) -> str:
    """The signature a public reply on this ticket gets (shown under the reply box)."""
    return request.user.signature_for(ticket.language)


def _ticket_context(request: HttpRequest, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    actions = ticket_actions(actor=request.user, ticket=ticket)
    return {
        "ticket": ticket,
        "actions": actions,
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=False),
        "history": tickets.ticket_history(ticket=ticket),
        "other_tickets": tickets.customer_tickets(customer_id=ticket.customer_id, exclude_id=ticket.pk),
        "identities": list(ticket.customer.identities.all()),
        "triage": triage_for(ticket_id=ticket.pk),
        "sla": sla_state(ticket),
        "escalation_teams": list(team_level_2_list()) if actions.escalate else [],
        "escalation_default": team_escalation_target(team=ticket.team) if actions.escalate else None,
        "message_form": extra.pop("message_form", None) or MessageForm(),
        # Reply tools (issue 10): macros, the signature added under a public reply, the draft.
        "macros": macro_list(actor=request.user) if actions.reply else [],
        "signature": "" if ticket.channel in UNSIGNED_CHANNELS else _signature(request, ticket),
        "draft_sent": request.session.pop(DRAFT_SENT, None) == ticket.reference,
        "update_form": extra.pop("update_form", None) or _update_form(request, ticket),
        # The list the page was opened from, kept through every form posted here (issue 10).
        "nav": worklist_nav(request, ticket),
        "from_qs": from_list(request),
        **extra,
    }


# The reference of the ticket whose reply was just sent: its page tells the browser's draft to go.
DRAFT_SENT = "desk:draft_sent"


@agent_required
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    # Opening a ticket reads what its notifications say: they leave the bell's count (as in the
    # helpdesks agents know), before the header counts them.
    notifications_read_for_ticket(user=request.user, ticket_id=ticket.pk)
    # Opened from a work list (?from=its query): previous and next ticket of that list.
    return render(request, "desk/ticket.html", _ticket_context(request, ticket))


@agent_required
@require_POST
def ticket_message(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        # Collisions (issue 10): news since the page loaded, or another holder, are shown first.
        check = reply_check(request, ticket, internal=d["internal"])
        if check is not None:
            ctx = _ticket_context(request, ticket, message_form=form, reply_check=check)
            return render(request, "desk/ticket.html", ctx, status=409)
        try:
            # With the macro's actions and "send and set status", in one transaction (issue 10).
            outcome = reply_send(
                ticket_id=ticket.pk, actor=request.user, body=d["body"], internal=d["internal"],
                macro_id=d["macro"], then_status=d["then"], configuration_items=d["configuration_items"],
                files=incoming_files(request.FILES.getlist("attachment")),
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            _reply_sent(request, outcome, changed=bool(d["macro"] or d["then"]))
            reply_take(request, ticket, internal=d["internal"])
            return ticket_redirect(request, reference)
    ctx = _ticket_context(request, ticket, message_form=form)
    return render(request, "desk/ticket.html", ctx, status=400)


def _reply_sent(request: HttpRequest, outcome: ReplyOutcome, *, changed: bool) -> None:
    message = outcome.message
    request.session[DRAFT_SENT] = outcome.ticket.reference
    if message.held_for_id is not None:  # a junior's reply: nothing is sent yet
        messages.info(
            request, _("Reply saved; it is sent once %(senior)s approves it.") % {"senior": message.held_for}
        )
        if outcome.held_changes:
            messages.info(
                request,
                _("Your changes wait with the reply and are applied once it is approved: %(changes)s.")
                % {"changes": tickets.held_changes_described(kept=outcome.held_changes)},
            )
    else:
        note = message.kind == Message.Kind.INTERNAL
        messages.success(request, _("Internal note added.") if note else _("Reply sent."))
    if changed and not outcome.held_changes:
        messages.success(request, _("Ticket updated."))


@agent_required
@require_POST
def ticket_change(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    form = _update_form(request, ticket, request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        # Without the assignee field (no permission to choose), the assignee is left as it is.
        chosen = {"assignee": d["assignee"]} if "assignee" in form.fields else {}
        try:
            ticket_update(
                ticket_id=ticket.pk, actor=request.user, version=d["version"],
                status=d["status"], priority=d["priority"], team=d["team"],
                category=tickets.category_get(slug=d["category"]) if d["category"] else None,
                **chosen,
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, _("Ticket updated."))
            return ticket_redirect(request, reference)
    ticket = ticket_or_404(request, reference)
    context = _ticket_context(request, ticket, update_form=form, conflict=status == 409)
    return render(request, "desk/ticket.html", context, status=status)


@agent_required
@require_POST
def message_approve(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    response = act(
        request, reference,
        lambda t: reply_release(actor=request.user, ticket_id=t.pk, message_id=message_id),
        _("Reply approved and sent."),
    )  # fmt: skip
    # From the approvals list (issue 10), back to it; the outcome is shown there.
    return redirect("desk:approvals") if request.POST.get("back") == "approvals" else response


@agent_required
@require_POST
def message_review_view(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    """Accept (publish as the customer's) or reject a message held because its sender is unproven."""
    accept = request.POST.get("decision") == "accept"
    return act(
        request, reference,
        lambda t: message_review(actor=request.user, ticket_id=t.pk, message_id=message_id, accept=accept),
        _("Message accepted as the customer's.") if accept else _("Message rejected."),
    )  # fmt: skip


@agent_required
@require_POST
def ticket_reviewed(request: HttpRequest, reference: str) -> HttpResponse:
    """A supervisor clears the ticket's review flag (it leaves "Waiting for you")."""
    return act(
        request, reference,
        lambda t: ticket_flag_clear(actor=request.user, ticket_id=t.pk),
        _("Marked as reviewed."),
    )  # fmt: skip


@agent_required
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    try:
        att = tickets.attachment_for_agent(actor=request.user, attachment_id=attachment_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return attachment_response(att)
