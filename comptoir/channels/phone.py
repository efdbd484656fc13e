"""Calls logged by agents: what the customer asked becomes a message on a new or existing ticket."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import InvalidInput
from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.notifications import tracking_link_notify


@dataclass(frozen=True)
class CallResult:
    ticket: Ticket
    message: Message
    created: bool
    link_sent: bool


def call_log(
    *,
    actor: User,
    customer_id: int,
    ticket: Ticket | None,
    subject: str,
    summary: str,
    send_link: str | None = None,
    submission_id: str | None = None,
) -> CallResult:
    """Log a call for ``customer_id``: on ``ticket``, or as a new request raised on their behalf.

    Both go through intake like any customer message (an inbound record, the same threading: a
    call on a closed ticket opens a new request linked to it), so the customer of a new request
    gets the acknowledgment and has nothing more to do. ``submission_id`` (the desk form's id, the
    API's ``Idempotency-Key``, already scoped to the caller) makes a retry land once: the first
    message is returned and nothing is sent again. ``send_link`` ("email" or "sms") also sends
    the customer the tracking link.
    """
    if ticket is not None and ticket.customer_id != customer_id:
        raise InvalidInput(_("This ticket belongs to another customer."))
    if ticket is None:
        subject = subject.strip() or " ".join(summary.split())[:80]
    result = receive(
        InboundMessage(
            channel="phone", customer=CustomerData(), customer_id=customer_id, text=summary,
            subject=ticket.subject if ticket is not None else subject, logged_by_id=actor.pk,
            thread_ticket_id=ticket.pk if ticket is not None else None,
            language=ticket.language if ticket is not None else None,
            external_id=f"call:{submission_id}" if submission_id else None,
        )
    )  # fmt: skip
    if result.duplicate:  # a retry: the first call's message, and nothing is sent again
        message = result.record.message
        return CallResult(ticket=result.ticket, message=message, created=False, link_sent=bool(send_link))
    link = tracking_link_notify(ticket=result.ticket, via=send_link) if send_link else None
    return CallResult(
        ticket=result.ticket, message=result.message, created=result.created, link_sent=link is not None
    )
