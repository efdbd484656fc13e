"""API routes of issue 3: the customer timeline, SMS webhook, calls logged by agents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from comptoir.channels.phone import call_log
from comptoir.channels.sms import sms_receive, verify_signature
from comptoir.customers.selectors import customer_get
from comptoir.tickets import selectors as tickets
from comptoir.tickets.selectors import customer_timeline

from . import serializers as out
from .schemas import ErrorOut, Id, MessageOut, Strict, Text, TicketOut

router = Router(tags=["channels"])
webhooks = Router(tags=["inbound"], auth=None)
ERRORS = dict.fromkeys([400, 401, 403, 404, 409, 422], ErrorOut)


class TimelineEntry(Schema):
    at: datetime
    ticket: str
    channel: str
    kind: str
    visibility: Literal["public", "internal", "held"]
    author: str | None
    body: str


class TimelineOut(Schema):
    customer: int
    open_tickets: list[TicketOut]
    other_tickets: list[TicketOut]
    entries: list[TimelineEntry]


@router.get("/customers/{customer_id}/timeline", response={200: TimelineOut, **ERRORS})
def timeline(request: HttpRequest, customer_id: Id):  # type: ignore[no-untyped-def]
    customer = customer_get(customer_id=customer_id)
    ticket_list, messages = customer_timeline(customer_id=customer.pk)
    return {
        "customer": customer.pk,
        "open_tickets": [out.ticket(t, customer=customer) for t in ticket_list if t.is_open],
        "other_tickets": [out.ticket(t, customer=customer) for t in ticket_list if not t.is_open],
        "entries": [
            {
                "at": m.created_at, "ticket": m.ticket.reference, "channel": m.channel, "kind": m.kind,
                "visibility": m.visibility,
                "author": m.author.email if m.author_id else None, "body": m.body,
            }
            for m in messages
        ],
    }  # fmt: skip


class CallIn(Strict):
    summary: Text = Field(min_length=1, max_length=20_000)
    send_link: str | None = Field(default=None, pattern="^(email|sms)$")


@router.post("/tickets/{reference}/calls", response={201: MessageOut, **ERRORS})
def call_create(request: HttpRequest, reference: Text, payload: CallIn):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    result = call_log(
        actor=request.auth, customer_id=ticket.customer_id, ticket=ticket, subject="",
        summary=payload.summary, send_link=payload.send_link,
    )  # fmt: skip
    return Status(201, out.message(result.message))


class SmsOut(Schema):
    action: str
    ticket: str | None


# The form is read raw (every field is signed, so none may be dropped); the document still says
# what the gateway sends.
SMS_WEBHOOK_DOC = {
    "parameters": [
        {
            "in": "header", "name": "X-Twilio-Signature", "required": True, "schema": {"type": "string"},
            "description": "HMAC-SHA1 of the URL and fields under COMPTOIR_SMS_AUTH_TOKEN (Twilio's scheme).",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["From", "MessageSid"],
                    "properties": {
                        name: {"type": "string"} for name in ("From", "To", "Body", "MessageSid", "NumMedia")
                    },
                    "additionalProperties": {"type": "string"},
                }
            }
        },
    },
}  # fmt: skip


@webhooks.post(
    "/inbound/sms",
    response={200: SmsOut, **dict.fromkeys([400, 401, 403, 413, 422], ErrorOut)},
    openapi_extra=SMS_WEBHOOK_DOC,
)
def inbound_sms(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Twilio-style form fields (From, To, Body, MessageSid); ``X-Twilio-Signature`` is checked."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    verify_signature(
        url=request.build_absolute_uri(), params=params,
        signature=request.headers.get("X-Twilio-Signature", ""),
    )  # fmt: skip
    # Checked as signed; then without NUL characters, which no text needs and PostgreSQL refuses.
    outcome = sms_receive(params={key: value.replace("\x00", "") for key, value in params.items()})
    return {"action": outcome.action, "ticket": outcome.result.ticket.reference if outcome.result else None}
