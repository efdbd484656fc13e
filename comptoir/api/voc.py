"""Voice of the customer and surveys (issue 12): ``GET/POST /voc`` and ``GET /tickets/{ref}/survey``."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from comptoir.common.exceptions import NotFound
from comptoir.surveys.models import Survey, VocEntry
from comptoir.surveys.selectors import survey_for_ticket, voc_list
from comptoir.surveys.services import voc_create
from comptoir.tickets.selectors import ticket_get

from .schemas import ERRORS, Strict, Text

router = Router(tags=["voice of the customer"])


class VocOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    created_at: datetime
    comment: str
    source: str
    author: str | None
    ticket: str | None = Field(description="reference of the ticket the entry comes from")
    message_id: int | None
    survey_ticket: str | None = Field(description="reference of the ticket whose survey it comes from")


class VocPageOut(Schema):
    items: list[VocOut]
    next_cursor: str | None


class VocIn(Strict):
    customer_id: int
    comment: Text = Field(min_length=1, max_length=4000)
    ticket: Text = Field(default="", max_length=20, description="reference of a ticket of this customer")
    message_id: int | None = None


class VocFilter(Schema):
    customer_id: int | None = None
    q: Text = Field(default="", max_length=200)
    cursor: Text | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class SurveyOut(Schema):
    ticket: str
    status: str
    channel: str
    language: str
    sent_at: datetime | None
    satisfaction: int | None
    effort: int | None
    comment: str
    answered_at: datetime | None
    low_score_alerted: bool


def _voc(e: VocEntry) -> dict:
    return {
        "id": e.pk, "customer_id": e.customer_id, "customer_name": e.customer.name,
        "created_at": e.created_at, "comment": e.comment, "source": e.source,
        "author": e.author.email if e.author else None,
        "ticket": e.ticket.reference if e.ticket else None, "message_id": e.message_id,
        "survey_ticket": e.ticket.reference if e.survey_id and e.ticket else None,
    }  # fmt: skip


@router.get("/voc", response={200: VocPageOut, **ERRORS}, operation_id="comptoir_api_voc_list")
def voc_list_view(request: HttpRequest, filters: Query[VocFilter]):  # type: ignore[no-untyped-def]
    """Voice-of-customer entries, newest first (agents); ``q`` matches words of the comment or the
    customer's name; ``next_cursor`` pages."""
    page = voc_list(
        actor=request.auth, customer_id=filters.customer_id, q=filters.q, cursor=filters.cursor,  # type: ignore[attr-defined]
        limit=filters.limit,
    )  # fmt: skip
    return {"items": [_voc(e) for e in page.items], "next_cursor": page.next_cursor}


@router.post("/voc", response={201: VocOut, **ERRORS}, operation_id="comptoir_api_voc_create")
def voc_create_view(request: HttpRequest, payload: VocIn):  # type: ignore[no-untyped-def]
    """Write what a customer said, with a ticket (and one of its messages) as evidence."""
    entry = voc_create(
        actor=request.auth, customer_id=payload.customer_id, comment=payload.comment,  # type: ignore[attr-defined]
        ticket_reference=payload.ticket, message_id=payload.message_id,
    )  # fmt: skip
    return Status(201, _voc(entry))


@router.get(
    "/tickets/{reference}/survey",
    response={200: SurveyOut, **ERRORS},
    operation_id="comptoir_api_ticket_survey",
)
def ticket_survey_view(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    """The ticket's survey and its answer (404 until the ticket has been resolved once)."""
    ticket = ticket_get(actor=request.auth, reference=reference)  # type: ignore[attr-defined]
    survey: Survey | None = survey_for_ticket(actor=request.auth, ticket=ticket)  # type: ignore[attr-defined]
    if survey is None:
        raise NotFound(_("This ticket has no survey."))
    return {
        "ticket": ticket.reference, "status": survey.status, "channel": survey.channel,
        "language": survey.language, "sent_at": survey.sent_at, "satisfaction": survey.satisfaction,
        "effort": survey.effort, "comment": survey.comment, "answered_at": survey.answered_at,
        "low_score_alerted": survey.alerted_at is not None,
    }  # fmt: skip
