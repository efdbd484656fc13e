"""Knowledge base articles (issue 11): write with an agent token, read with one or without.

Without a token a caller reads what the portal shows (published public articles); with an agent
token, every article that agent may read (``knowledge.selectors.article_visible_to``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from comptoir.common.exceptions import InvalidInput
from comptoir.knowledge.markdown import render_markdown
from comptoir.knowledge.models import Article
from comptoir.knowledge.selectors import (
    article_get,
    article_list,
    article_translations,
)
from comptoir.knowledge.services import ArticleData, article_create, article_update
from comptoir.search.articles import MAX_LIMIT, article_search
from comptoir.tickets.selectors import category_get

from .auth import TokenAuth
from .schemas import ERRORS, Id, Strict, Text

router = Router(tags=["articles"])


def _anonymous(request: HttpRequest) -> Any:
    """No ``Authorization`` header: an anonymous reader. A header with a bad token stays a 401."""
    return None if "Authorization" in request.headers else AnonymousUser()


# Reading: the agent's token when one is sent, else anonymous, declared so in the OpenAPI
# document (an empty security requirement: authentication is optional).
READ_AUTH = [TokenAuth(), _anonymous]
READ_SECURITY = {"security": [{"TokenAuth": []}, {}]}
Language = Literal["fr", "en"]
Visibility = Literal["public", "internal"]
State = Literal["draft", "published"]


class ArticleIn(Strict):
    title: Text = Field(min_length=1, max_length=200)
    body: Text = Field(default="", max_length=100_000, description="Markdown.")
    language: Language
    visibility: Visibility = "internal"
    status: State = "draft"
    translation_of: Id | None = Field(default=None, description="The original article's id.")
    category: Text | None = Field(default=None, max_length=50, description="A ticket category's slug.")


class ArticlePatch(Strict):
    title: Text | None = Field(default=None, min_length=1, max_length=200)
    body: Text | None = Field(default=None, max_length=100_000)
    language: Language | None = None
    visibility: Visibility | None = None
    status: State | None = None
    translation_of: Id | None = None
    category: Text | None = Field(default=None, max_length=50, description='A category slug; "" for none.')


class ArticleOut(Schema):
    id: int
    title: str
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="The body rendered and sanitised.")
    language: str
    visibility: str
    status: str
    translation_of: int | None
    translations: list[int] = Field(description="Ids of the other-language versions the caller may read.")
    category: str | None
    author: str | None
    created_at: datetime
    updated_at: datetime


class ArticleItemOut(Schema):
    id: int
    title: str
    language: str
    status: str
    visibility: str
    snippet: str = Field(description="An extract, HTML-escaped, matched words in <mark> (with q).")


class ArticleListParams(Schema):
    q: Text = Field(default="", max_length=500, description="Words, as in the search; empty: most recent.")
    language: Language | None = Field(default=None, description="This language's articles first.")
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)


def _article(a: Article, actor: Any) -> dict:
    return {
        "id": a.pk, "title": a.title, "body": a.body, "body_html": render_markdown(a.body),
        "language": a.language, "visibility": a.visibility, "status": a.status,
        "translation_of": a.translation_of_id,
        "translations": [t.pk for t in article_translations(actor=actor, article=a)],
        "category": a.category.slug if a.category else None,
        "author": str(a.author) if a.author else None,
        "created_at": a.created_at, "updated_at": a.updated_at,
    }  # fmt: skip


def _category(slug: str | None) -> Any:
    if not slug:
        return None
    found = category_get(slug=slug)
    if found is None:
        raise InvalidInput(_("Unknown category."), field="category")
    return found


@router.post("/articles", response={201: ArticleOut, **ERRORS}, operation_id="comptoir_api_article_create")
def article_create_view(request: HttpRequest, payload: ArticleIn):  # type: ignore[no-untyped-def]
    """A new article (level-2 agents and supervisors; others get a 403)."""
    data = ArticleData(
        title=payload.title, body=payload.body, language=payload.language, status=payload.status,
        visibility=payload.visibility, translation_of=payload.translation_of,
        category=_category(payload.category),
    )  # fmt: skip
    article = article_create(actor=request.auth, data=data)  # type: ignore[attr-defined]
    return Status(201, _article(article_get(actor=request.auth, article_id=article.pk), request.auth))  # type: ignore[attr-defined]


@router.patch(
    "/articles/{article_id}", response={200: ArticleOut, **ERRORS}, operation_id="comptoir_api_article_update"
)
def article_update_view(request: HttpRequest, article_id: Id, payload: ArticlePatch):  # type: ignore[no-untyped-def]
    """Change the fields sent; a revision is recorded when anything changed."""
    sent = payload.model_dump(exclude_unset=True)
    if "category" in sent:
        sent["category"] = _category(sent["category"])
    for key in ("title", "language", "visibility", "status"):
        if key in sent and sent[key] is None:
            del sent[key]
    if "body" in sent and sent["body"] is None:
        sent["body"] = ""
    article_update(actor=request.auth, article_id=article_id, data=ArticleData(**sent))  # type: ignore[attr-defined]
    return _article(article_get(actor=request.auth, article_id=article_id), request.auth)  # type: ignore[attr-defined]


@router.get(
    "/articles/{article_id}",
    response={200: ArticleOut, **ERRORS},
    auth=READ_AUTH,
    openapi_extra=READ_SECURITY,
    operation_id="comptoir_api_article_get",
)
def article_get_view(request: HttpRequest, article_id: Id):  # type: ignore[no-untyped-def]
    """One article the caller may read (no token: published public only; else a 404)."""
    return _article(article_get(actor=request.auth, article_id=article_id), request.auth)  # type: ignore[attr-defined]


@router.get(
    "/articles",
    response={200: list[ArticleItemOut], **ERRORS},
    auth=READ_AUTH,
    openapi_extra=READ_SECURITY,
    operation_id="comptoir_api_article_list",
)
def article_list_view(request: HttpRequest, params: Query[ArticleListParams]):  # type: ignore[no-untyped-def]
    """Articles the caller may read: matching ``q``, best first; without ``q``, most recent."""
    actor = request.auth  # type: ignore[attr-defined]
    if params.q.strip():
        hits = article_search(
            actor=actor, q=params.q, limit=params.limit, prefer_language=params.language or ""
        )
        return [
            {"id": h.article.pk, "title": h.article.title, "language": h.article.language,
             "status": h.article.status, "visibility": h.article.visibility, "snippet": h.snippet_html}
            for h in hits
        ]  # fmt: skip
    found = article_list(actor=actor, prefer_language=params.language or "", limit=params.limit)
    return [
        {"id": a.pk, "title": a.title, "language": a.language, "status": a.status,
         "visibility": a.visibility, "snippet": ""}
        for a in found
    ]  # fmt: skip
