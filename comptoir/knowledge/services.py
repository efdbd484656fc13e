"""Writing articles: creation and edits, each leaving a revision, in one transaction.

The search index (``comptoir.search``, a higher layer) follows ``Article`` rows through
``post_save``, which fires inside these transactions: an edit is searchable once committed, in
the same commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied

from .models import Article, ArticleRevision, ArticleTicket, DeflectionOpen, DeflectionVisit
from .selectors import article_may_write, article_visible_to

TITLE_MAX = 200
BODY_MAX = 100_000
_UNSET: Any = object()
_FIELDS = ("title", "body", "language", "status", "visibility", "category", "translation_of")


@dataclass
class ArticleData:
    """What an author sets; on an edit, fields left ``_UNSET`` are kept."""

    title: Any = _UNSET
    body: Any = _UNSET
    language: Any = _UNSET
    status: Any = _UNSET
    visibility: Any = _UNSET
    category: Any = _UNSET  # a tickets.Category or None
    translation_of: Any = _UNSET  # an article id or None


def _check_writer(actor: User) -> None:
    if not article_may_write(actor=actor):
        raise PermissionDenied(_("Only level-2 agents and supervisors may write articles."))


def _clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise InvalidInput(_("This field is required."), field=field)
    if len(value) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    return value


def _choice(value: str, choices: type, field: str) -> str:
    if value not in choices.values:  # type: ignore[attr-defined]
        raise InvalidInput(_("Not a valid choice: %(value)s") % {"value": value}, field=field)
    return value


def _original(*, actor: User, article_id: int | None, language: str, exclude: int | None) -> Article | None:
    """The original a translation points to (a translation of a translation: its original)."""
    if article_id is None:
        return None
    original = article_visible_to(actor=actor).filter(pk=article_id).first()
    if original is None:
        raise InvalidInput(_("No such article to translate."), field="translation_of")
    if original.translation_of_id is not None:
        original = Article.objects.get(pk=original.translation_of_id)
    if original.pk == exclude:
        raise InvalidInput(_("An article cannot be its own translation."), field="translation_of")
    if exclude is not None and Article.objects.filter(translation_of_id=exclude).exists():
        raise InvalidInput(_("This article has translations: it is an original."), field="translation_of")
    if original.language == language:
        raise InvalidInput(
            _("A translation must be in another language than its original."), field="language"
        )
    taken = Article.objects.filter(translation_of=original, language=language)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Conflict(_("This article already has a translation in that language."))
    return original


def _apply(article: Article, data: ArticleData, *, actor: User) -> None:
    if data.title is not _UNSET:
        article.title = _clean_text(data.title, field="title", limit=TITLE_MAX, required=True)
    if data.body is not _UNSET:
        article.body = _clean_text(data.body, field="body", limit=BODY_MAX, required=False)
    if data.language is not _UNSET:
        article.language = _choice(data.language, Article.Language, "language")
    if data.status is not _UNSET:
        article.status = _choice(data.status, Article.Status, "status")
    if data.visibility is not _UNSET:
        article.visibility = _choice(data.visibility, Article.Visibility, "visibility")
    if data.category is not _UNSET:
        article.category = data.category
    if data.translation_of is not _UNSET or data.language is not _UNSET:
        wanted = article.translation_of_id if data.translation_of is _UNSET else data.translation_of
        original = _original(actor=actor, article_id=wanted, language=article.language, exclude=article.pk)
        article.translation_of = original
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()


def _revise(article: Article, *, actor: User) -> None:
    last = article.revisions.aggregate(n=Max("number"))["n"] or 0
    ArticleRevision.objects.create(
        article=article, number=last + 1, editor=actor, title=article.title, body=article.body,
        status=article.status, visibility=article.visibility,
    )  # fmt: skip


def article_create(*, actor: User, data: ArticleData) -> Article:
    """A new article (revision 1), by an agent allowed to write."""
    _check_writer(actor)
    if data.title is _UNSET or data.language is _UNSET:
        raise InvalidInput(_("A title and a language are required."), field="title")
    article = Article(author=actor)
    _apply(article, data, actor=actor)
    try:
        with transaction.atomic():
            article.save(force_insert=True)
            _revise(article, actor=actor)
    except IntegrityError as exc:  # two translations into one language at once
        raise Conflict(_("This article already has a translation in that language.")) from exc
    return article


def article_update(*, actor: User, article_id: int, data: ArticleData) -> Article:
    """An edit: the changed fields saved and a revision written, or nothing when nothing changed."""
    _check_writer(actor)
    try:
        with transaction.atomic():
            article = article_visible_to(actor=actor).select_for_update().filter(pk=article_id).first()
            if article is None:
                raise NotFound(_("No such article."))
            before = _snapshot(article)
            _apply(article, data, actor=actor)
            if _snapshot(article) == before:
                return article
            article.save(update_fields=[*_FIELDS, "published_at", "updated_at"])
            _revise(article, actor=actor)
    except IntegrityError as exc:
        raise Conflict(_("This article already has a translation in that language.")) from exc
    return article


def _snapshot(article: Article) -> tuple:
    return (
        article.title, article.body, article.language, article.status, article.visibility,
        article.category_id, article.translation_of_id,
    )  # fmt: skip


def article_from_ticket(
    *, actor: User, ticket_id: int, title: str, body: str, language: str, category: Any = None
) -> Article:
    """A draft internal article prefilled from a resolved ticket and linked to it (issue 11).

    The caller reads the ticket (``tickets.context.ticket_article_draft``): this app sits beside
    tickets and does not import it.
    """
    _check_writer(actor)
    data = ArticleData(
        title=title[:TITLE_MAX], body=body[:BODY_MAX], language=language,
        status=Article.Status.DRAFT, visibility=Article.Visibility.INTERNAL, category=category,
    )  # fmt: skip
    with transaction.atomic():
        article = article_create(actor=actor, data=data)
        ArticleTicket.objects.create(article=article, ticket_id=ticket_id, created_by=actor)
    return article


# --- Portal deflection (issue 11, item 6) -------------------------------------------------------
#
# A new-request form carries a random token, signed with a timestamp so that the server only
# ever records visits for tokens it issued and that are recent. The visit row is created when the
# form's first suggestions are shown; its token is stored hashed. The client sends nothing but the
# token: which articles were shown is recorded by the server, an open counts only for an article
# shown to that visit, and a visit is only ever found by its own token.

DEFLECTION_SALT = "comptoir.knowledge.deflection"
DEFLECTION_TOKEN_MAX_AGE = 12 * 60 * 60  # seconds a form may stay open and still be counted
DEFLECTION_MAX_SHOWN = 50  # article ids kept per visit


def deflection_token_new() -> str:
    """A fresh token for a form being rendered (nothing is written)."""
    return signing.TimestampSigner(salt=DEFLECTION_SALT).sign(secrets.token_urlsafe(18))


def _deflection_hash(token: str) -> str | None:
    """The stored key of a token the server issued and that is still fresh, else None."""
    if not token or len(token) > 200:
        return None
    try:
        raw = signing.TimestampSigner(salt=DEFLECTION_SALT).unsign(token, max_age=DEFLECTION_TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    return hashlib.sha256(raw.encode()).hexdigest()


def deflection_shown(*, token: str, article_ids: list[int]) -> bool:
    """Record that these articles were suggested to the form holding ``token``; the visit is
    created by its first suggestions. False when the token is not one we issued (or stale)."""
    key = _deflection_hash(token)
    if key is None or not article_ids:
        return False
    with transaction.atomic():
        visit, _created = DeflectionVisit.objects.select_for_update().get_or_create(token_hash=key)
        shown = list(visit.shown_articles or [])
        new = [pk for pk in article_ids if pk not in shown]
        if new and len(shown) < DEFLECTION_MAX_SHOWN:
            visit.shown_articles = (shown + new)[:DEFLECTION_MAX_SHOWN]
            visit.save(update_fields=["shown_articles"])
    return True


def deflection_opened(*, token: str, article_id: int) -> bool:
    """Record that the visit of ``token`` opened one of the articles it was suggested, once per
    article. False (nothing recorded) for an unknown token or an article not suggested to it."""
    key = _deflection_hash(token)
    if key is None:
        return False
    now = timezone.now()
    with transaction.atomic():
        visit = DeflectionVisit.objects.select_for_update().filter(token_hash=key).first()
        if visit is None or article_id not in (visit.shown_articles or []):
            return False
        _open, created = DeflectionOpen.objects.get_or_create(
            visit=visit, article_id=article_id, defaults={"opened_at": now}
        )
        if created and visit.first_opened_at is None:
            visit.first_opened_at = now
            visit.save(update_fields=["first_opened_at"])
    return created


def deflection_submitted(*, token: str) -> bool:
    """The form holding ``token`` was submitted (a request was received): marks its visit, if
    suggestions were shown to it, once."""
    key = _deflection_hash(token)
    if key is None:
        return False
    marked = DeflectionVisit.objects.filter(token_hash=key, submitted_at__isnull=True).update(
        submitted_at=timezone.now()
    )
    return bool(marked)
