"""Reading articles: who may read which, and who may write.

As in Zendesk Guide: every agent reads every published article, internal ones included; drafts
are seen by those who may write articles (and by their author); customers, visitors and API
callers without a token read published public articles only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import NotFound

from .models import Article, ArticleRevision, ArticleTicket


def _is_agent(actor: Any) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and (getattr(actor, "is_agent", False) or actor.is_superuser)
    )


def article_may_write(*, actor: Any) -> bool:
    """Writing articles: level-2 agents, supervisors and administrators."""
    if not _is_agent(actor):
        return False
    return bool(actor.supervises or actor.level >= User.Level.L2)


def article_visible_to(*, actor: Any) -> QuerySet[Article]:
    """The articles ``actor`` (a staff user, or ``None``/anonymous for the public) may read."""
    published = Q(status=Article.Status.PUBLISHED)
    if not _is_agent(actor):
        return Article.objects.filter(published, visibility=Article.Visibility.PUBLIC)
    if article_may_write(actor=actor):
        return Article.objects.all()
    return Article.objects.filter(published | Q(author_id=actor.pk))


def article_get(*, actor: Any, article_id: int) -> Article:
    article = (
        article_visible_to(actor=actor)
        .select_related("author", "category", "translation_of")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound(_("No such article."))
    return article


def article_list(
    *,
    actor: Any,
    language: str = "",
    status: str = "",
    visibility: str = "",
    prefer_language: str = "",
    limit: int = 200,
) -> list[Article]:
    """Articles ``actor`` may read, filtered; ``prefer_language`` first, then most recent."""
    qs = article_visible_to(actor=actor).select_related("author", "category")
    if language:
        qs = qs.filter(language=language)
    if status:
        qs = qs.filter(status=status)
    if visibility:
        qs = qs.filter(visibility=visibility)
    order: list[Any] = ["-updated_at", "-id"]
    if prefer_language:
        first = Case(
            When(language=prefer_language, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        order.insert(0, first)
    return list(qs.order_by(*order)[:limit])


def article_translations(*, actor: Any, article: Article) -> list[Article]:
    """The other-language versions of ``article`` that ``actor`` may read (original included)."""
    root_id = article.translation_of_id or article.pk
    qs = article_visible_to(actor=actor).filter(Q(pk=root_id) | Q(translation_of_id=root_id))
    return list(qs.exclude(pk=article.pk).order_by("language"))


def article_missing_languages(*, article: Article) -> list[str]:
    """Languages ``article`` has no version in yet (whoever may read them)."""
    root_id = article.translation_of_id or article.pk
    have = set(
        Article.objects.filter(Q(pk=root_id) | Q(translation_of_id=root_id)).values_list(
            "language", flat=True
        )
    )
    return [code for code in Article.Language.values if code not in have]


def article_revisions(*, article: Article) -> list[ArticleRevision]:
    return list(article.revisions.select_related("editor").order_by("-number"))


def article_for_ids(*, actor: Any, ids: list[int]) -> dict[int, Article]:
    """Articles by id among those ``actor`` may read (search results)."""
    return article_visible_to(actor=actor).select_related("category").in_bulk(ids)


def articles_for_ticket(*, actor: Any, ticket_id: int, limit: int = 20) -> list[Article]:
    """The articles made from (or linked to) a ticket that ``actor`` may read: one query."""
    return list(
        article_visible_to(actor=actor)
        .filter(ticket_links__ticket_id=ticket_id)
        .order_by("-id")
        .distinct()[:limit]
    )


def article_ticket_links(*, article: Article, limit: int = 50) -> list[ArticleTicket]:
    """The tickets an article solved, newest link first (the ticket joined: one query).

    Agents see every ticket (``tickets.selectors.ticket_visible_to``), and only agents read this.
    """
    return list(article.ticket_links.select_related("ticket")[:limit])
