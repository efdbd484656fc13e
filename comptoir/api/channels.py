"""Channels worked by agents: calls logged on a ticket (the phone channel).

Providers' webhooks (email, SMS) are in ``inbound``; a customer's timeline across channels is in
``customers``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import Field

from comptoir.channels.phone import call_log
from comptoir.tickets import selectors as tickets

from . import serializers as out
from .schemas import ErrorOut, MessageOut, Strict, Text

router = Router(tags=["channels"])
ERRORS = dict.fromkeys([400, 401, 403, 404, 409, 422], ErrorOut)


class CallIn(Strict):
    summary: Text = Field(min_length=1, max_length=20_000)
    send_link: str | None = Field(default=None, pattern="^(email|sms)$")


@router.post(
    "/tickets/{reference}/calls",
    response={201: MessageOut, **ERRORS},
    operation_id="comptoir_api_channels_call_create",
)
def call_create(request: HttpRequest, reference: Text, payload: CallIn):  # type: ignore[no-untyped-def]
    """``Idempotency-Key`` (per client): a retry returns the first message and sends nothing twice."""
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    result = call_log(
        actor=request.auth, customer_id=ticket.customer_id, ticket=ticket, subject="",
        summary=payload.summary, send_link=payload.send_link,
        submission_id=f"api:{request.auth.pk}:{key}" if key else None,
    )  # fmt: skip
    return Status(201, out.message(result.message))
