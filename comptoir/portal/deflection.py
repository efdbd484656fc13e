"""Portal deflection (issue 11, item 6): help articles suggested while a customer types a request.

The request forms (``/`` and ``/my/new/``) carry a hidden ``deflection`` token issued when they
render (``knowledge.services.deflection_token_new``, signed, nothing written). As the customer
types, htmx posts the subject, the description and the token here: matching published public
articles come back (the page's language first), and the server records which ones it showed.
A suggested link carries the token; opening it records the open (once per article) and sends the
reader on to the article's plain address. The form's successful submission marks the visit
submitted. Whether a visit was a deflection is decided when the figures are read
(``knowledge.selectors.deflection_figures``). Without JavaScript nothing is suggested and the
form works as before.

What the customer typed is used for the search and never stored; it travels in a POST body, not
in a URL (server logs).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from comptoir.common.net import ratelimit_key
from comptoir.knowledge.services import deflection_opened, deflection_shown
from comptoir.search.articles import ArticleHit, article_hits
from comptoir.search.text import STOPWORDS, ParsedQuery, Term, query_alternatives, words

# Typing fires a request after each pause: more than the form's own limit, still bounded per
# client address (settings may lower them; tests do).
SUGGEST_RATE = "60/m"
OPEN_RATE = "30/m"
MIN_CHARS = 12  # subject and description together, below which nothing is suggested
MIN_WORD = 3
MAX_STEMS = 16  # the search ORs at most this many word forms in one term
SHOWN = 5
VISIT_PARAM = "from"  # the suggested links' query parameter: the form's token


def suggestion_query(subject: str, description: str) -> ParsedQuery | None:
    """Any of the request's meaningful words (subject first, then the description's longest),
    as one term whose word forms are ORed: a request need not contain every word of an article.
    None when there is too little text to suggest anything."""
    subject, description = subject[:255], description[:5000]
    if len((subject + " " + description).strip()) < MIN_CHARS:
        return None
    stems: set[str] = set()
    by_subject = words(subject)
    by_length = sorted(words(description), key=len, reverse=True)
    for word in [*by_subject, *by_length]:
        if len(word) < MIN_WORD or word in STOPWORDS or word.isdigit():
            continue
        forms = query_alternatives(word)
        if forms <= stems:
            continue
        if len(stems | forms) > MAX_STEMS:
            break
        stems |= forms
    if not stems:
        return None
    return ParsedQuery(terms=[Term(parts=(frozenset(stems),))])


def suggested_articles(*, subject: str, description: str, language: str) -> list[ArticleHit]:
    """Published public articles matching the request, ``language`` first, one version of each
    article (the other-language version of one already listed is left out)."""
    parsed = suggestion_query(subject, description)
    if parsed is None:
        return []
    hits = article_hits(actor=None, parsed=parsed, limit=SHOWN * 2, prefer_language=language)
    out, seen = [], set()
    for hit in hits:
        group = hit.article.translation_of_id or hit.article.pk
        if group in seen:
            continue
        seen.add(group)
        out.append(hit)
    return out[:SHOWN]


@require_POST
def help_suggest(request: HttpRequest) -> HttpResponse:
    """``POST /help/suggest/`` (htmx, from the request forms): the suggestions partial."""
    if is_ratelimited(
        request,
        group="portal-suggest",
        key=ratelimit_key,
        rate=getattr(settings, "COMPTOIR_SUGGEST_RATE", SUGGEST_RATE),
        method="POST",
        increment=True,
    ):
        return HttpResponse(status=429)  # htmx keeps what is shown
    hits = suggested_articles(
        subject=request.POST.get("subject", ""),
        description=request.POST.get("description", ""),
        language=(get_language() or "en")[:2],
    )
    token = request.POST.get("deflection", "")[:200]
    counted = deflection_shown(token=token, article_ids=[h.article.pk for h in hits])
    context = {"hits": hits, "token": token if counted else "", "visit_param": VISIT_PARAM}
    return render(request, "portal/_deflection.html", context)


def record_open(request: HttpRequest, article_id: int) -> bool:
    """The help article was opened from a suggestion carrying a token: record it (bounded)."""
    token = request.GET.get(VISIT_PARAM, "")[:200]
    if not token or request.method != "GET":
        return False
    group, rate = "portal-deflection-open", getattr(settings, "COMPTOIR_SUGGEST_OPEN_RATE", OPEN_RATE)
    if is_ratelimited(request, group=group, key=ratelimit_key, rate=rate, method="GET", increment=True):
        return False
    return deflection_opened(token=token, article_id=article_id)
