"""Assignment: next ticket, pick, skip, escalate, de-escalate, and its figures.

Who may do what on a ticket is ``tickets.permissions.ticket_actions``, enforced by the services:
a refusal for the caller's role is a 403, one for the ticket's state a 409.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from comptoir.assignment import selectors as assignment_selectors
from comptoir.assignment import services as assignment
from comptoir.common.exceptions import InvalidInput, PermissionDenied
from comptoir.routing.selectors import team_get_by_name
from comptoir.tickets import selectors as tickets

from . import serializers as out
from .schemas import ERRORS, AssignmentStatsOut, DeescalateIn, EscalateIn, SkipIn, Text, TicketOut

router = Router(tags=["assignment"])


def _team(name: str | None):  # type: ignore[no-untyped-def]
    if name is None:
        return None
    team = team_get_by_name(name=name)
    if team is None:
        raise InvalidInput(_("Unknown team."), field="team")
    return team


@router.post(
    "/queue/next", response={200: TicketOut, 204: None, **ERRORS}, operation_id="comptoir_api_work_queue_next"
)
def queue_next(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Assign the caller the most urgent ticket they may take; 204 when none is waiting."""
    ticket = assignment.ticket_next(agent=request.auth)
    if ticket is None:
        return Status(204, None)
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=ticket.reference))


@router.post(
    "/tickets/{reference}/pick",
    response={200: TicketOut, **ERRORS},
    operation_id="comptoir_api_work_ticket_pick",
)
def ticket_pick(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    assignment.ticket_pick(agent=request.auth, ticket_id=ticket.pk)
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=reference))


@router.post(
    "/tickets/{reference}/skip",
    response={200: TicketOut, **ERRORS},
    operation_id="comptoir_api_work_ticket_skip",
)
def ticket_skip(request: HttpRequest, reference: Text, payload: SkipIn):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    assignment.ticket_skip(agent=request.auth, ticket_id=ticket.pk, reason=payload.reason)
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=reference))


@router.post(
    "/tickets/{reference}/escalate",
    response={200: TicketOut, **ERRORS},
    operation_id="comptoir_api_work_ticket_escalate",
)
def ticket_escalate(request: HttpRequest, reference: Text, payload: EscalateIn):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    assignment.ticket_escalate(
        actor=request.auth, ticket_id=ticket.pk, reason=payload.reason, summary=payload.summary,
        team=_team(payload.team), to_supervisor=payload.to_supervisor,
    )  # fmt: skip
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=reference))


@router.post(
    "/tickets/{reference}/deescalate",
    response={200: TicketOut, **ERRORS},
    operation_id="comptoir_api_work_ticket_deescalate",
)
def ticket_deescalate(request: HttpRequest, reference: Text, payload: DeescalateIn):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    assignment.ticket_deescalate(
        actor=request.auth, ticket_id=ticket.pk, reason=payload.reason, team=_team(payload.team)
    )
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=reference))


@router.get(
    "/stats/assignment", response={200: AssignmentStatsOut, **ERRORS}, operation_id="comptoir_api_work_stats"
)
def stats(request: HttpRequest, days: int = 30):  # type: ignore[no-untyped-def]
    if not request.auth.supervises:
        raise PermissionDenied(_("Only supervisors can read these figures."))
    since = timezone.now() - timedelta(days=max(1, min(days, 3650)))
    return assignment_selectors.assignment_stats(since=since)
