"""What the desk already knows about a ticket's customer (issue 11, item 5), and the draft an
article starts from when a resolution becomes one (item 2). Reads only.

The context panel costs a fixed number of queries whatever the customer's history: every list is
sliced in the database, the last reply of each resolved ticket is a subquery, and nothing is
loaded per row. Every ticket read goes through ``ticket_visible_to``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import InvalidInput
from comptoir.customers.models import Customer

from .models import ConfigurationItem, Message, Ticket
from .selectors import ticket_visible_to

RECENT = 5
OPEN = 10
RESOLUTIONS = 3
ITEMS = 10
SENT_SCANNED = 30
RESOLUTION_CHARS = 280
ARTICLE_LANGUAGES = ("fr", "en")
DONE = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)

# A link to a help-centre article in a sent reply: ``/help/<id>/`` (absolute or relative).
HELP_LINK = re.compile(r"/help/(\d{1,12})(?:/|\b)")


@dataclass
class CustomerContext:
    """The panel's content: plain rows, ready to render."""

    customer: Customer | None
    recent: list[Ticket] = field(default_factory=list)
    open_tickets: list[Ticket] = field(default_factory=list)
    resolutions: list[Ticket] = field(default_factory=list)  # each with ``.resolution`` (shortened)
    article_ids: list[int] = field(default_factory=list)  # articles linked in replies sent to them
    configuration_items: list[ConfigurationItem] = field(default_factory=list)


def _sent_replies() -> QuerySet[Message]:
    """Public replies that reached the customer (not held for approval, not held as unproven)."""
    return Message.objects.filter(kind=Message.Kind.PUBLIC, hold=Message.Hold.NONE, held_for__isnull=True)


def _shorten(text: str, limit: int = RESOLUTION_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def customer_context(*, actor: User, ticket: Ticket) -> CustomerContext:
    """The customer of ``ticket`` as ``actor`` may see them: six queries, whatever their history."""
    customer = Customer.objects.select_related("coordinator").filter(pk=ticket.customer_id).first()
    if customer is None:
        return CustomerContext(customer=None)
    theirs = ticket_visible_to(actor=actor).filter(customer_id=customer.pk).exclude(pk=ticket.pk)
    columns = ("reference", "subject", "status", "channel", "created_at", "updated_at")
    recent = list(theirs.only(*columns).order_by("-created_at", "-id")[:RECENT])
    open_tickets = list(theirs.exclude(status__in=DONE).only(*columns).order_by("-updated_at", "-id")[:OPEN])
    last_reply = (
        _sent_replies().filter(ticket_id=OuterRef("pk")).order_by("-created_at", "-id").values("body")[:1]
    )
    resolutions: list[Ticket] = list(
        theirs.filter(status__in=DONE)
        .only(*columns, "resolved_at")
        .annotate(last_reply=Subquery(last_reply))
        .filter(last_reply__isnull=False)
        .order_by("-resolved_at", "-updated_at", "-id")[:RESOLUTIONS]
    )
    for t in resolutions:
        t.resolution = _shorten(t.last_reply)  # type: ignore[attr-defined]
    visible_ids = ticket_visible_to(actor=actor).filter(customer_id=customer.pk).values("pk")
    sent = (
        _sent_replies()
        .filter(ticket_id__in=visible_ids, body__contains="/help/")
        .order_by("-id")
        .values_list("body", flat=True)[:SENT_SCANNED]
    )
    article_ids: list[int] = []
    for body in sent:
        for match in HELP_LINK.finditer(body):
            pk = int(match.group(1))
            if pk not in article_ids:
                article_ids.append(pk)
    items = list(
        ConfigurationItem.objects.filter(message__ticket_id__in=visible_ids)
        .distinct()
        .order_by("name")[:ITEMS]
    )
    return CustomerContext(
        customer=customer, recent=recent, open_tickets=open_tickets, resolutions=resolutions,
        article_ids=article_ids, configuration_items=items,
    )  # fmt: skip


def ticket_may_become_article(ticket: Ticket) -> bool:
    """A resolution exists once the ticket is resolved (or closed after that)."""
    return ticket.status in DONE


def ticket_article_draft(*, ticket: Ticket) -> dict[str, Any]:
    """Title, Markdown body, language and category of the draft article a resolved ticket makes:
    the customer's question and the public replies that resolved it, headed in the ticket's
    language."""
    if not ticket_may_become_article(ticket):
        raise InvalidInput(_("Only a resolved ticket can become an article."), field="status")
    language = (ticket.language or "en")[:2].lower()
    if language not in ARTICLE_LANGUAGES:
        language = "en"
    question = (
        Message.objects.filter(ticket_id=ticket.pk, kind=Message.Kind.CUSTOMER, hold=Message.Hold.NONE)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
        .first()
    )
    replies = list(
        _sent_replies()
        .filter(ticket_id=ticket.pk)
        .order_by("-created_at", "-id")
        .values_list("body", flat=True)[:3]
    )
    replies.reverse()
    with translation.override(language):
        # Headings outside the f-strings: makemessages does not read inside them.
        asked, answered = _("Question"), _("Answer")
        parts = [f"## {asked}", "", _quote(question or ticket.subject), "", f"## {answered}", ""]
        parts.append("\n\n".join(r.strip() for r in replies) or _("(Describe the resolution here.)"))
    return {"title": ticket.subject, "body": "\n".join(parts).strip() + "\n", "language": language,
            "category": ticket.category}  # fmt: skip


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())
