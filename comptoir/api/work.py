"""Assignment and triage over the API: next ticket, pick, skip, escalate, approve, triage queue."""

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
from comptoir.tickets.services import reply_release
from comptoir.triage.selectors import triage_queue

from . import serializers as out
from .schemas import (
    AssignmentStatsOut,
    DeescalateIn,
    ErrorOut,
    EscalateIn,
    Id,
    MessageOut,
    SkipIn,
    Text,
    TicketOut,
    TriageItemOut,
)

router = Router(tags=["assignment"])
ERRORS = dict.fromkeys([400, 401, 403, 404, 409, 413, 422], ErrorOut)


def _team(name: str | None):  # type: ignore[no-untyped-def]
    if name is None:
        return None
    team = team_get_by_name(name=name)
    if team is None:
        raise InvalidInput(_("Unknown team."), field="team")
    return team


def _require_supervisor(request: HttpRequest) -> None:
    user = request.auth
    if not user.supervises:
        raise PermissionDenied(_("Only supervisors can read these figures."))


@router.post("/queue/next", response={200: TicketOut, 204: None, **ERRORS})
def queue_next(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Assign the caller the most urgent ticket they may take; 204 when none is waiting."""
    ticket = assignment.ticket_next(agent=request.auth)
    if ticket is None:
        return Status(204, None)
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=ticket.reference))


@router.post("/tickets/{reference}/pick", response={200: TicketOut, **ERRORS})
def ticket_pick(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    assignment.ticket_pick(agent=request.auth, ticket_id=ticket.pk)
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=reference))


@router.post("/tickets/{reference}/skip", response={200: TicketOut, **ERRORS})
def ticket_skip(request: HttpRequest, reference: Text, payload: SkipIn):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    assignment.ticket_skip(agent=request.auth, ticket_id=ticket.pk, reason=payload.reason)
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=reference))


@router.post("/tickets/{reference}/escalate", response={200: TicketOut, **ERRORS})
def ticket_escalate(request: HttpRequest, reference: Text, payload: EscalateIn):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    assignment.ticket_escalate(
        actor=request.auth, ticket_id=ticket.pk, reason=payload.reason, summary=payload.summary,
        team=_team(payload.team), to_supervisor=payload.to_supervisor,
    )  # fmt: skip
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=reference))


@router.post("/tickets/{reference}/deescalate", response={200: TicketOut, **ERRORS})
def ticket_deescalate(request: HttpRequest, reference: Text, payload: DeescalateIn):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    assignment.ticket_deescalate(
        actor=request.auth, ticket_id=ticket.pk, reason=payload.reason, team=_team(payload.team)
    )
    return out.ticket(tickets.ticket_get(actor=request.auth, reference=reference))


@router.post("/tickets/{reference}/messages/{message_id}/approve", response={200: MessageOut, **ERRORS})
def message_approve(request: HttpRequest, reference: Text, message_id: Id):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    return out.message(reply_release(actor=request.auth, ticket_id=ticket.pk, message_id=message_id))


@router.get("/triage/queue", response={200: list[TriageItemOut], **ERRORS})
def triage_list(request: HttpRequest, limit: int = 50):  # type: ignore[no-untyped-def]
    if not (request.auth.is_agent or request.auth.is_superuser):
        raise PermissionDenied(_("Only agents can read the triage queue."))
    return [
        {
            "ticket": out.ticket(t),
            "predicted": t.triage.label,
            "predicted_name": str(t.predicted_category) if t.predicted_category else t.triage.label,
            "confidence": t.triage.confidence,
            "language": t.triage.language,
        }
        for t in triage_queue(limit=max(1, min(limit, 200)))
    ]


@router.get("/stats/assignment", response={200: AssignmentStatsOut, **ERRORS})
def stats(request: HttpRequest, days: int = 30):  # type: ignore[no-untyped-def]
    _require_supervisor(request)
    since = timezone.now() - timedelta(days=max(1, min(days, 3650)))
    return assignment_selectors.assignment_stats(since=since)
