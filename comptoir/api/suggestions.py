"""Suggestions on a ticket (issue 11, item 4): relevant articles and similar resolved tickets."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from comptoir.search.suggestions import ticket_suggestions
from comptoir.tickets import selectors

from .schemas import ERRORS, Text

router = Router(tags=["tickets"])


class SuggestedArticleOut(Schema):
    id: int
    title: str
    language: str = Field(description="`fr` or `en`.")
    score: float = Field(
        description="Similarity to the ticket (cosine, the ticket's language slightly ahead)."
    )


class SimilarTicketOut(Schema):
    reference: str
    subject: str
    language: str
    resolution: str = Field(description="The last reply the customer received, shortened.")
    score: float


class SuggestionsOut(Schema):
    articles: list[SuggestedArticleOut] = Field(
        description="Published articles the caller may read, best first."
    )
    similar_tickets: list[SimilarTicketOut] = Field(description="Resolved or closed tickets, best first.")


@router.get(
    "/tickets/{reference}/suggestions",
    response={200: SuggestionsOut, **ERRORS},
    operation_id="comptoir_api_ticket_suggestions",
    summary="Articles and similar resolved tickets for a ticket",
)
def ticket_suggestions_get(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    """The most relevant articles and the most similar resolved tickets with their resolutions,
    in the ticket's language first and across languages, best first. Computed by the worker
    when the ticket arrives: both lists are empty until then."""
    ticket = selectors.ticket_get(actor=request.auth, reference=reference)
    return ticket_suggestions(actor=request.auth, ticket=ticket)
