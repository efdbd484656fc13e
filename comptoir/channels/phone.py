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
from comptoir.tickets.services import ticket_customer_reply


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
) -> CallResult:
    """Log a call for ``customer_id``: on ``ticket``, or as a new request raised on their behalf.

    A new request goes through intake like any other (so the customer gets the acknowledgment and
    has nothing more to do); ``send_link`` ("email" or "sms") also sends them the tracking link.
    """
    if ticket is not None and ticket.customer_id != customer_id:
        raise InvalidInput(_("This ticket belongs to another customer."))
    if ticket is None:
        result = receive(
            InboundMessage(
                channel="phone", customer=CustomerData(), customer_id=customer_id,
                subject=subject.strip() or " ".join(summary.split())[:80], text=summary,
                logged_by_id=actor.pk,
            )
        )  # fmt: skip
        ticket, message, created = result.ticket, result.message, True
    else:
        message = ticket_customer_reply(ticket=ticket, body=summary, channel="phone", author=actor)
        created = False
    link = tracking_link_notify(ticket=ticket, via=send_link) if send_link else None
    return CallResult(ticket=ticket, message=message, created=created, link_sent=link is not None)
