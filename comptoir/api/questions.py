"""Answer every question (issue 11): which of the customer's unanswered questions a draft addresses."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from comptoir.search.reply_check import reply_check
from comptoir.tickets import selectors

from .schemas import ERRORS, Strict, Text

router = Router(tags=["tickets"])


class ReplyCheckIn(Strict):
    body: Text = Field(max_length=100_000, description="The draft reply.")


class QuestionOut(Schema):
    text: str = Field(description="A question from the customer's messages since the last public reply.")
    answered: bool = Field(description="Whether the draft appears to address it.")


class ReplyCheckOut(Schema):
    questions: list[QuestionOut]


@router.post(
    "/tickets/{reference}/reply-check",
    response={200: ReplyCheckOut, **ERRORS},
    operation_id="comptoir_api_ticket_reply_check",
    summary="Check a draft reply against the customer's questions",
)
def ticket_reply_check(request: HttpRequest, reference: Text, payload: ReplyCheckIn):  # type: ignore[no-untyped-def]
    """The questions the customer asked since the last public reply (quoted text and signatures
    left out), each with ``answered``: whether the draft appears to address it. Nothing is stored."""
    ticket = selectors.ticket_get(actor=request.auth, reference=reference)
    found = reply_check(ticket=ticket, draft=payload.body)
    return {"questions": [{"text": q.text, "answered": q.answered} for q in found]}
