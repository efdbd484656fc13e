"""The questions a draft reply should answer: the customer's messages since the last public reply."""

from __future__ import annotations

from comptoir.tickets.models import Message, Ticket

from .questions import Question, check

MAX_MESSAGES = 20


def unanswered_customer_texts(*, ticket: Ticket) -> list[str]:
    """The customer's messages after the last public reply that was sent (a held reply was not)."""
    last_reply = (
        ticket.messages.filter(kind=Message.Kind.PUBLIC, held_for__isnull=True)
        .order_by("-created_at", "-id")
        .values_list("created_at", "id")
        .first()
    )
    qs = ticket.messages.filter(kind=Message.Kind.CUSTOMER, hold=Message.Hold.NONE)
    if last_reply is not None:
        at, pk = last_reply
        qs = qs.filter(created_at__gte=at).exclude(created_at=at, id__lt=pk)
    bodies = list(qs.order_by("-created_at", "-id").values_list("body", flat=True)[:MAX_MESSAGES])
    return list(reversed(bodies))


def reply_check(*, ticket: Ticket, draft: str) -> list[Question]:
    """The customer's unanswered questions, each marked answered or not by ``draft``."""
    return check(unanswered_customer_texts(ticket=ticket), draft)
