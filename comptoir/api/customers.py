"""Customers: a record with its identities and tickets, and its timeline across channels."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from comptoir.customers.selectors import customer_get
from comptoir.tickets import selectors as tickets
from comptoir.tickets.selectors import customer_timeline

from . import serializers as out
from .schemas import ERRORS, CustomerOut, ErrorOut, Id, TicketOut

router = Router(tags=["customers"])


@router.get(
    "/customers/{customer_id}",
    response={200: CustomerOut, **ERRORS},
    operation_id="comptoir_api_views_customer_detail",
)
def customer_detail(request: HttpRequest, customer_id: Id):  # type: ignore[no-untyped-def]
    if not request.auth.is_agent:
        raise HttpError(403, _("Only agents can read customers."))
    customer = customer_get(customer_id=customer_id)
    return {
        "id": customer.pk,
        "name": customer.name,
        "language": customer.language,
        "tier": customer.tier,
        "coordinator": customer.coordinator.email if customer.coordinator_id else None,
        "identities": [{"kind": i.kind, "value": i.value} for i in customer.identities.all()],
        "tickets": [
            out.ticket(t)
            for t in tickets.ticket_list(actor=request.auth, customer_id=customer.pk, limit=100).items
        ],
    }


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


@router.get(
    "/customers/{customer_id}/timeline",
    response={200: TimelineOut, **dict.fromkeys([400, 401, 403, 404, 409, 422], ErrorOut)},
    operation_id="comptoir_api_channels_timeline",
)
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
