"""Reading articles: who may read which, and who may write.

As in Zendesk Guide: every agent reads every published article, internal ones included; drafts
are seen by those who may write articles (and by their author); customers, visitors and API
callers without a token read published public articles only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import NotFound

from .models import Article, ArticleRevision, ArticleTicket, DeflectionOpen, DeflectionVisit


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


# --- Portal deflection (issue 11, item 6) -------------------------------------------------------

DEFLECTION_WINDOW = timedelta(minutes=30)  # an open followed by no request for this long: deflected


@dataclass(frozen=True)
class DeflectionFigures:
    """Self-service over a period: form sessions shown suggestions, and what became of them."""

    days: int
    since: datetime
    visits: int  # form sessions shown at least one suggested article
    opened: int  # suggested articles opened (once per article and visit)
    deflected: int  # an article opened, and no request within DEFLECTION_WINDOW of the first open
    submitted: int  # suggestions shown, and the request sent anyway (not a deflection)
    pending: int  # an article opened less than DEFLECTION_WINDOW ago, no request yet: undecided

    @property
    def window_minutes(self) -> int:
        return int(DEFLECTION_WINDOW.total_seconds() // 60)

    @property
    def rate(self) -> float | None:
        """deflected / (deflected + submitted); None before any decided visit."""
        decided = self.deflected + self.submitted
        return round(self.deflected / decided, 4) if decided else None


def deflection_may_read(*, actor: Any) -> bool:
    """The self-service figures are for supervisors and administrators."""
    return bool(_is_agent(actor) and actor.supervises)


def deflection_figures(*, days: int, now: datetime | None = None) -> DeflectionFigures:
    """The figures of the visits whose suggestions were first shown in the last ``days`` days,
    decided at read time from their timestamps (no job marks visits): two queries."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    deadline = ExpressionWrapper(F("first_opened_at") + DEFLECTION_WINDOW, output_field=DateTimeField())
    opened = Q(first_opened_at__isnull=False)
    late_or_never = Q(submitted_at__isnull=True) | Q(submitted_at__gt=deadline)
    deflected = opened & Q(first_opened_at__lte=now - DEFLECTION_WINDOW) & late_or_never
    in_time = Q(first_opened_at__isnull=True) | Q(submitted_at__lte=deadline)
    submitted = Q(submitted_at__isnull=False) & in_time
    pending = opened & Q(first_opened_at__gt=now - DEFLECTION_WINDOW, submitted_at__isnull=True)
    visits = DeflectionVisit.objects.filter(created_at__gte=since, created_at__lte=now)
    counts = visits.aggregate(
        visits=Count("pk"),
        deflected=Count("pk", filter=deflected),
        submitted=Count("pk", filter=submitted),
        pending=Count("pk", filter=pending),
    )
    opens = DeflectionOpen.objects.filter(visit__in=visits.values("pk")).count()
    return DeflectionFigures(days=days, since=since, opened=opens, **counts)
