"""The help centre (issue 11): published public articles, browsable and searchable by anyone.

Pages read as a visitor whoever is signed in (``actor=None``): an agent browsing the portal sees
what customers see, never an internal or draft article.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from comptoir.common.exceptions import NotFound
from comptoir.knowledge.markdown import render_markdown
from comptoir.knowledge.selectors import article_get, article_list, article_translations
from comptoir.search.articles import article_search

from .deflection import VISIT_PARAM, record_open

PUBLIC = None  # the reader every help page reads as


def _language() -> str:
    return (get_language() or "en")[:2]


def help_index(request: HttpRequest) -> HttpResponse:
    """``/help/``: the visitor's language first; with ``?q=``, matching articles, highlighted."""
    q = request.GET.get("q", "")[:500]
    if q.strip():
        hits = article_search(actor=PUBLIC, q=q, limit=30, prefer_language=_language())
        context = {"q": q, "hits": hits, "searched": True}
    else:
        context = {"q": q, "articles": article_list(actor=PUBLIC, prefer_language=_language(), limit=100)}
    return render(request, "portal/help.html", context)


def help_article(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article = article_get(actor=PUBLIC, article_id=article_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if VISIT_PARAM in request.GET:
        # Opened from a request form's suggestions: counted, then the article's plain address
        # (the token stays out of the history and of shared links).
        record_open(request, article.pk)
        return redirect("portal:help_article", article_id=article.pk)
    context = {
        "article": article, "body_html": render_markdown(article.body),
        "translations": article_translations(actor=PUBLIC, article=article),
    }  # fmt: skip
    return render(request, "portal/help_article.html", context)
