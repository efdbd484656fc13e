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
from comptoir.routing.selectors import team_escalation_target, team_level_2_list
from comptoir.tickets import selectors as tickets
from comptoir.tickets.files import incoming_files
from comptoir.tickets.models import Ticket
from comptoir.tickets.permissions import ticket_actions
from comptoir.tickets.services import (
    message_review,
    reply_release,
    ticket_agent_message,
    ticket_flag_clear,
    ticket_update,
)
from comptoir.tickets.sla import sla_state
from comptoir.triage.selectors import triage_for

from ..forms import MessageForm, UpdateForm
from .common import act, agent_required, ticket_or_404


def _update_form(request: HttpRequest, ticket: Ticket, data: Any = None) -> UpdateForm:
    """The fields form; without the assignee unless this actor may choose who holds the ticket."""
    assign = ticket_actions(actor=request.user, ticket=ticket).assign
    if data is not None:
        return UpdateForm(data, assign=assign)
    initial = {
        "version": ticket.version, "status": ticket.status, "priority": ticket.priority,
        "team": ticket.team_id, "assignee": ticket.assignee_id,
        "category": ticket.category.slug if ticket.category_id else "",
    }  # fmt: skip
    return UpdateForm(initial=initial, assign=assign)


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
        "update_form": extra.pop("update_form", None) or _update_form(request, ticket),
        **extra,
    }


@agent_required
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    return render(request, "desk/ticket.html", _ticket_context(request, ticket))


@agent_required
@require_POST
def ticket_message(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = ticket_agent_message(
                ticket=ticket, actor=request.user, body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
                configuration_items=form.cleaned_data["configuration_items"],
                files=incoming_files(request.FILES.getlist("attachment")),
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if message.held_for_id is not None:  # a junior's reply: nothing is sent yet
                messages.info(
                    request,
                    _("Reply saved; it is sent once %(senior)s approves it.") % {"senior": message.held_for},
                )
            else:
                note = form.cleaned_data["internal"]
                messages.success(request, _("Internal note added.") if note else _("Reply sent."))
            return redirect("desk:ticket", reference=reference)
    ctx = _ticket_context(request, ticket, message_form=form)
    return render(request, "desk/ticket.html", ctx, status=400)


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
            return redirect("desk:ticket", reference=reference)
    ticket = ticket_or_404(request, reference)
    context = _ticket_context(request, ticket, update_form=form, conflict=status == 409)
    return render(request, "desk/ticket.html", context, status=status)


@agent_required
@require_POST
def message_approve(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    return act(
        request, reference,
        lambda t: reply_release(actor=request.user, ticket_id=t.pk, message_id=message_id),
        _("Reply approved and sent."),
    )  # fmt: skip


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
