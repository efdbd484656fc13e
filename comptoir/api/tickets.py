"""Tickets: create, list, read, history, change, messages, and the release of a held reply."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from comptoir.accounts.selectors import agent_get_by_email
from comptoir.common.exceptions import InvalidInput
from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.macros.placeholders import placeholders_render
from comptoir.routing.selectors import team_get_by_name
from comptoir.tickets import bulk, selectors
from comptoir.tickets.merge import ticket_merge, ticket_split
from comptoir.tickets.permissions import ticket_actions
from comptoir.tickets.services import reply_release, ticket_agent_message, ticket_update
from comptoir.tickets.snooze import ticket_snooze, ticket_wake
from comptoir.tickets.tracking import tracking_url
from comptoir.triage.services import triage_accept_many
from comptoir.voice.selectors import message_sentiments, ticket_voice

from . import serializers as out
from .bulk_schemas import BulkIn, BulkOut, MergeIn, SnoozeIn
from .schemas import (
    ERRORS,
    EventOut,
    Id,
    MessageIn,
    MessageOut,
    Text,
    TicketCreatedOut,
    TicketDetailOut,
    TicketIn,
    TicketPageOut,
    TicketPatchIn,
    TicketStatus,
)

router = Router(tags=["tickets"])


# Issue 10: declared before "/tickets/{reference}", which would otherwise take "/tickets/bulk".
@router.post(
    "/tickets/bulk",
    response={200: BulkOut, **ERRORS},
    operation_id="comptoir_api_tickets_bulk",
)
def tickets_bulk_route(request: HttpRequest, payload: BulkIn):  # type: ignore[no-untyped-def]
    """One action on up to 100 tickets, each permission-checked and changed on its own (one
    transaction per ticket): refusals are listed with their reason, the rest goes through.
    Field changes can be undone for 10 minutes (``undo_id``); replies and notes cannot."""
    values: dict[str, Any] = {
        "status": payload.status,
        "priority": payload.priority,
        "body": payload.body or "",
    }
    if "assignee" in payload.model_fields_set:
        values["assignee"] = _lookup(
            lambda name: agent_get_by_email(email=name), payload.assignee, "assignee", _("Unknown agent.")
        )
    if payload.team is not None:
        values["team"] = _lookup(
            lambda name: team_get_by_name(name=name), payload.team, "team", _("Unknown team.")
        )
    if payload.category is not None:
        values["category"] = _lookup(
            lambda name: selectors.category_get(slug=name), payload.category, "category",
            _("Unknown category."),
        )  # fmt: skip
    if payload.action == "accept_triage":
        return triage_accept_many(actor=request.auth, references=payload.tickets).as_dict()
    if values["body"].strip():  # placeholders filled by the macros' engine, as on the desk
        text = values["body"]
        values["text_for"] = lambda t: placeholders_render(text, ticket=t, actor=request.auth)  # type: ignore[attr-defined]
    result = bulk.tickets_bulk(
        actor=request.auth, references=payload.tickets, action=payload.action, **values
    )
    return result.as_dict()


@router.post(
    "/tickets/bulk/{bulk_id}/undo",
    response={200: BulkOut, **ERRORS},
    operation_id="comptoir_api_tickets_bulk_undo",
)
def tickets_bulk_undo_route(request: HttpRequest, bulk_id: Id):  # type: ignore[no-untyped-def]
    """Put back what one of the caller's bulk changes changed; tickets changed since are refused."""
    return bulk.bulk_undo(actor=request.auth, bulk_id=bulk_id).as_dict()


@router.post(
    "/tickets",
    response={201: TicketCreatedOut, 200: TicketCreatedOut, **ERRORS},
    operation_id="comptoir_api_views_ticket_create",
)
def ticket_create(request: HttpRequest, payload: TicketIn):  # type: ignore[no-untyped-def]
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    c = payload.customer
    result = receive(
        InboundMessage(
            channel=payload.channel,
            customer=CustomerData(
                name=c.name or "", email=c.email, phone=c.phone, account=c.account,
                language=c.language,
            ),
            subject=payload.subject,
            text=payload.body,
            external_id=f"api:{request.auth.pk}:{key}" if key else None,
            language=c.language,
        )
    )  # fmt: skip
    ticket = result.ticket
    body = {**out.ticket(ticket), "tracking_url": tracking_url(ticket.tracking_uid)}
    return Status(201 if result.created else 200, body)


@router.get(
    "/tickets", response={200: TicketPageOut, **ERRORS}, operation_id="comptoir_api_views_ticket_list"
)
def ticket_list(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    status: TicketStatus | None = None,
    team: Text | None = None,
    assignee: Text | None = None,
    customer: Id | None = None,
    cursor: Text | None = None,
    limit: int = 50,
):
    team_id = assignee_id = None
    if team:
        found = team_get_by_name(name=team)
        team_id = found.pk if found else -1
    if assignee:
        agent = agent_get_by_email(email=assignee)
        assignee_id = agent.pk if agent else -1
    page = selectors.ticket_list(
        actor=request.auth, status=status, team_id=team_id, assignee_id=assignee_id,
        customer_id=customer, cursor=cursor, limit=max(1, min(limit, 200)),
    )  # fmt: skip
    return {"items": [out.ticket(t) for t in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/tickets/{reference}",
    response={200: TicketDetailOut, **ERRORS},
    operation_id="comptoir_api_views_ticket_detail",
)
def ticket_detail(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    """The ticket, its messages, and what the caller may do on it now (``actions``)."""
    ticket = selectors.ticket_get(actor=request.auth, reference=reference)
    messages = selectors.ticket_messages(ticket=ticket, public_only=False)
    scores = message_sentiments(messages=list(messages))  # issue 12: one query for the page
    voice = ticket_voice(ticket=ticket)
    return {
        **out.ticket(ticket),
        "tracking_url": tracking_url(ticket.tracking_uid),
        "messages": [{**out.message(m), "sentiment": out.sentiment(scores.get(m.pk))} for m in messages],
        "actions": ticket_actions(actor=request.auth, ticket=ticket).as_dict(),
        "effort": voice.as_dict(),
        "flags": voice.flags,
    }


@router.get(
    "/tickets/{reference}/history",
    response={200: list[EventOut], **ERRORS},
    operation_id="comptoir_api_views_ticket_history",
)
def ticket_history(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    ticket = selectors.ticket_get(actor=request.auth, reference=reference)
    return [out.event(e) for e in selectors.ticket_history(ticket=ticket)]


@router.patch(
    "/tickets/{reference}",
    response={200: TicketDetailOut, **ERRORS},
    operation_id="comptoir_api_views_ticket_patch",
)
def ticket_patch(request: HttpRequest, reference: Text, payload: TicketPatchIn):  # type: ignore[no-untyped-def]
    ticket = selectors.ticket_get(actor=request.auth, reference=reference)
    given = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "team" in given:
        changes["team"] = _lookup(
            lambda name: team_get_by_name(name=name), payload.team, "team", _("Unknown team.")
        )
    if "assignee" in given:
        changes["assignee"] = _lookup(
            lambda name: agent_get_by_email(email=name), payload.assignee, "assignee",
            _("Unknown agent."),
        )  # fmt: skip
    if "category" in given:
        changes["category"] = _lookup(
            lambda name: selectors.category_get(slug=name), payload.category, "category",
            _("Unknown category."),
        )  # fmt: skip
    ticket_update(
        ticket_id=ticket.pk, actor=request.auth, version=payload.version,
        status=payload.status, priority=payload.priority, **changes,
    )  # fmt: skip
    return ticket_detail(request, reference)


def _lookup(find, name: str | None, field: str, error: str):  # type: ignore[no-untyped-def]
    if name is None:
        return None
    found = find(name)
    if found is None:
        raise InvalidInput(error, field=field)
    return found


@router.post(
    "/tickets/{reference}/messages",
    response={201: MessageOut, **ERRORS},
    operation_id="comptoir_api_views_message_create",
)
def message_create(request: HttpRequest, reference: Text, payload: MessageIn):  # type: ignore[no-untyped-def]
    """``Idempotency-Key`` (per client): a retry returns the first message and sends nothing twice."""
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    ticket_id = selectors.ticket_id_get(actor=request.auth, reference=reference)
    message = ticket_agent_message(
        ticket_id=ticket_id, actor=request.auth, body=payload.body,
        internal=payload.visibility == "internal",
        configuration_items=payload.configuration_items,
        idempotency_key=f"api:{request.auth.pk}:{key}" if key else None,
    )  # fmt: skip
    return Status(201, out.message(message))


@router.post(
    "/tickets/{reference}/messages/{message_id}/approve",
    response={200: MessageOut, **ERRORS},
    operation_id="comptoir_api_work_message_approve",
)
def message_approve(request: HttpRequest, reference: Text, message_id: Id):  # type: ignore[no-untyped-def]
    """Release a reply held for its author's senior (pairing): the senior or a supervisor may."""
    ticket = selectors.ticket_get(actor=request.auth, reference=reference)
    return out.message(reply_release(actor=request.auth, ticket_id=ticket.pk, message_id=message_id))


# Issue 10: bulk actions and their undo, merge, split, snooze. Same services as the desk's.


@router.post(
    "/tickets/{reference}/merge",
    response={200: TicketDetailOut, **ERRORS},
    operation_id="comptoir_api_tickets_merge",
)
def ticket_merge_route(request: HttpRequest, reference: Text, payload: MergeIn):  # type: ignore[no-untyped-def]
    """Merge this ticket into ``into`` (same customer): its messages move there, it is closed and
    points there, the customer is told. Returns the surviving ticket."""
    source_id = selectors.ticket_id_get(actor=request.auth, reference=reference)
    target_id = selectors.ticket_id_get(actor=request.auth, reference=payload.into)
    merge = ticket_merge(actor=request.auth, source_id=source_id, target_id=target_id)
    return ticket_detail(request, merge.target.reference)


@router.post(
    "/tickets/{reference}/messages/{message_id}/split",
    response={201: TicketDetailOut, **ERRORS},
    operation_id="comptoir_api_tickets_split",
)
def message_split_route(request: HttpRequest, reference: Text, message_id: Id):  # type: ignore[no-untyped-def]
    """Move a customer's message off into a new ticket of the same customer; returns the new one."""
    ticket_id = selectors.ticket_id_get(actor=request.auth, reference=reference)
    new = ticket_split(actor=request.auth, ticket_id=ticket_id, message_id=message_id)
    return Status(201, ticket_detail(request, new.reference))


@router.post(
    "/tickets/{reference}/snooze",
    response={200: TicketDetailOut, **ERRORS},
    operation_id="comptoir_api_tickets_snooze",
)
def ticket_snooze_route(request: HttpRequest, reference: Text, payload: SnoozeIn):  # type: ignore[no-untyped-def]
    """Hide an open ticket from the active lists until ``until``; ``null`` wakes it now."""
    ticket_id = selectors.ticket_id_get(actor=request.auth, reference=reference)
    if payload.until is None:
        ticket_wake(actor=request.auth, ticket_id=ticket_id)
    else:
        ticket_snooze(actor=request.auth, ticket_id=ticket_id, until=payload.until)
    return ticket_detail(request, reference)
