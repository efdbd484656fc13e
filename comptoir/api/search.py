"""Search: one query for tickets and customers, as on the desk (``search.selectors.search``)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from comptoir.search.articles import ArticleHit
from comptoir.search.selectors import MAX_LIMIT, MAX_OFFSET, search

from .schemas import ERRORS, Text

router = Router(tags=["search"])


class SearchParams(Schema):
    q: Text = Field(
        max_length=500,
        description='Words (any case, accents and French or English endings), "exact phrases", '
        "prefix* and filters: status:open, team:<name>, from:<email>, priority:P1.",
    )
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)
    cursor: int = Field(
        default=0,
        ge=0,
        le=MAX_OFFSET,
        description="Where the page of tickets starts: the `next_cursor` of the previous answer.",
    )


class TicketHitOut(Schema):
    reference: str
    subject: str
    status: str
    priority: str
    team: str | None
    customer_id: int
    customer_name: str
    subject_html: str = Field(description="The subject, HTML-escaped, matched words in <mark>.")
    snippet_html: str = Field(description="An extract of the best-matching message, escaped, with <mark>.")
    snippet_internal: bool = Field(description="The extract comes from an internal note.")
    score: float
    snoozed_until: datetime | None = Field(
        default=None, description="Snoozed until then: out of the active lists, still found here."
    )


class IdentityOut(Schema):
    kind: str
    value: str


class CustomerHitOut(Schema):
    id: int
    name: str
    name_html: str
    identities: list[IdentityOut]


class ArticleHitOut(Schema):
    id: int
    title: str
    language: str
    status: str
    visibility: str
    title_html: str = Field(description="The title, HTML-escaped, matched words in <mark>.")
    snippet: str = Field(description="An extract of the article's text, HTML-escaped, with <mark>.")
    score: float


def article_hit(h: ArticleHit) -> dict:
    a = h.article
    return {
        "id": a.pk, "title": a.title, "language": a.language, "status": a.status,
        "visibility": a.visibility, "title_html": h.title_html, "snippet": h.snippet_html, "score": h.score,
    }  # fmt: skip


class SearchOut(Schema):
    q: str
    tickets: list[TicketHitOut]
    customers: list[CustomerHitOut]
    articles: list[ArticleHitOut] = Field(description="Knowledge base articles the caller may read.")
    problems: list[str] = Field(description="Filters that could not be understood (unknown team...).")
    total: int = Field(
        description=f"Tickets matching, counted up to {MAX_OFFSET} only (ranking covers the {MAX_OFFSET} "
        "most recent matches); see `total_is_lower_bound`."
    )
    total_is_lower_bound: bool = Field(description="More tickets may match than `total`.")
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page; null on the last one.")
    next: str | None = Field(description="The URL of the next page of tickets; null on the last one.")


@router.get("/search", response={200: SearchOut, **ERRORS}, operation_id="comptoir_api_search")
def search_view(request: HttpRequest, params: Query[SearchParams]):  # type: ignore[no-untyped-def]
    """Tickets the caller may see and, for agents, customers; best matches first."""
    found = search(actor=request.auth, q=params.q, limit=params.limit, offset=params.cursor)  # type: ignore[attr-defined]
    following = None
    if found.next_offset is not None:
        query = urlencode({"q": params.q, "limit": params.limit, "cursor": found.next_offset})
        following = request.build_absolute_uri(f"{request.path}?{query}")
    return {
        "q": found.q,
        "total": found.total,
        "total_is_lower_bound": found.more,
        "next_cursor": found.next_offset,
        "next": following,
        "tickets": [
            {
                "reference": h.ticket.reference,
                "subject": h.ticket.subject,
                "status": h.ticket.status,
                "priority": h.ticket.priority,
                "team": h.ticket.team.name if h.ticket.team else None,
                "customer_id": h.ticket.customer_id,
                "customer_name": h.ticket.customer.name,
                "subject_html": h.subject_html,
                "snippet_html": h.snippet_html,
                "snippet_internal": h.snippet_internal,
                "score": h.score,
                "snoozed_until": h.ticket.snoozed_until if h.ticket.is_open else None,
            }
            for h in found.tickets
        ],
        "customers": [
            {
                "id": h.customer.pk,
                "name": h.customer.name,
                "name_html": h.name_html,
                "identities": [{"kind": i.kind, "value": i.value} for i in h.customer.identities.all()],
            }
            for h in found.customers
        ],
        "problems": found.problems,
        "articles": [article_hit(h) for h in found.articles],
    }
