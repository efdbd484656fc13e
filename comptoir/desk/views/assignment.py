"""Working a ticket: pick, hand back, escalate, send back to level 1.

Who may is ``tickets.permissions.ticket_actions``, enforced by the services; a refusal for the
actor's role answers 403 (``common.act``), the ticket page offers only what would succeed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.assignment import services as assignment

from .common import act, agent_required, chosen_team


@agent_required
@require_POST
def ticket_pick(request: HttpRequest, reference: str) -> HttpResponse:
    return act(
        request, reference, lambda t: assignment.ticket_pick(agent=request.user, ticket_id=t.pk),
        _("The ticket is yours."),
    )  # fmt: skip


@agent_required
@require_POST
def ticket_skip(request: HttpRequest, reference: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return act(
        request, reference,
        lambda t: assignment.ticket_skip(agent=request.user, ticket_id=t.pk, reason=reason),
        _("Ticket handed back."),
    )  # fmt: skip


@agent_required
@require_POST
def ticket_escalate(request: HttpRequest, reference: str) -> HttpResponse:
    data = request.POST
    return act(
        request, reference,
        lambda t: assignment.ticket_escalate(
            actor=request.user, ticket_id=t.pk, reason=data.get("reason", ""),
            summary=data.get("summary", ""), to_supervisor=bool(data.get("to_supervisor")),
            team=chosen_team(data.get("team", "")),
        ),
        _("Ticket escalated."),
    )  # fmt: skip


@agent_required
@require_POST
def ticket_deescalate(request: HttpRequest, reference: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return act(
        request, reference,
        lambda t: assignment.ticket_deescalate(actor=request.user, ticket_id=t.pk, reason=reason),
        _("Ticket sent back to level 1."),
    )  # fmt: skip
