"""Knowledge base articles in the one search (issue 11): the desk's box, the API and the portal.

The same parsing, stems and backends as tickets; what a reader finds is what
``knowledge.selectors.article_visible_to`` lets them read (a visitor: published public articles
only), applied inside the full-text query, never after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from comptoir.knowledge.markdown import markdown_text
from comptoir.knowledge.models import Article
from comptoir.knowledge.selectors import article_for_ids, article_visible_to

from . import backends
from .highlight import Marked, highlight
from .text import ParsedQuery, parse_query

MAX_LIMIT = 50


@dataclass
class ArticleHit:
    article: Article
    title_html: SafeString
    snippet_html: SafeString
    score: float


def article_hits(
    *, actor: Any, parsed: ParsedQuery, limit: int, prefer_language: str = ""
) -> list[ArticleHit]:
    """Articles ``actor`` may read matching ``parsed``, best first (``prefer_language`` before
    the other language at equal relevance order), with highlighted title and extract."""
    if not parsed.terms:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    hits = backends.article_matches(parsed, restrict=article_visible_to(actor=actor), limit=limit)
    articles = article_for_ids(actor=actor, ids=[pk for pk, _score in hits])
    out = []
    for pk, score in hits:
        article = articles.get(pk)
        if article is None:  # changed since the index was read
            continue
        text = Marked(markdown_text(article.body), parsed, article.language)
        out.append(
            ArticleHit(
                article=article,
                title_html=highlight(article.title, parsed, article.language),
                snippet_html=highlight(text, parsed, article.language, around=80),
                score=score,
            )
        )
    if prefer_language:
        out.sort(key=lambda hit: hit.article.language != prefer_language)  # stable: rank kept
    return out


def article_search(*, actor: Any, q: str, limit: int = 20, prefer_language: str = "") -> list[ArticleHit]:
    """``q`` (words, "phrases", prefix*) over the articles ``actor`` may read."""
    return article_hits(
        actor=actor, parsed=parse_query((q or "")[:500]), limit=limit, prefer_language=prefer_language
    )
