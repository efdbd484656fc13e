"""``POST /tickets/{reference}/article`` (issue 11, item 2): a resolved ticket becomes a draft
internal article linked to it, as the desk's "Turn into an article" does."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from comptoir.knowledge.services import article_from_ticket
from comptoir.tickets.context import ticket_article_draft
from comptoir.tickets.selectors import ticket_get

from .schemas import ERRORS, Text

router = Router(tags=["articles"])


class TicketArticleOut(Schema):
    id: int
    title: str
    language: str
    status: str
    visibility: str
    ticket: str


@router.post(
    "/tickets/{reference}/article",
    response={201: TicketArticleOut, **ERRORS},
    operation_id="comptoir_api_ticket_article_create",
)
def ticket_article_create_view(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    """A draft internal article from a resolved ticket's question and replies, linked to it
    (agents allowed to write articles; others get a 403, an open ticket a 422)."""
    ticket = ticket_get(actor=request.auth, reference=reference)  # type: ignore[attr-defined]
    article = article_from_ticket(
        actor=request.auth, ticket_id=ticket.pk, **ticket_article_draft(ticket=ticket)
    )  # type: ignore[attr-defined]
    return Status(201, {
        "id": article.pk, "title": article.title, "language": article.language, "status": article.status,
        "visibility": article.visibility, "ticket": ticket.reference,
    })  # fmt: skip
