"""Knowledge base articles (issue 11): bilingual, drafted then published, internal or public.

An article's body is Markdown as its author typed it; it is rendered (and sanitised) on display
by ``knowledge.markdown``. Every edit leaves an ``ArticleRevision`` written by the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Article(models.Model):
    class Language(models.TextChoices):
        FR = "fr", _("French")
        EN = "en", _("English")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Internal (agents only)")
        PUBLIC = "public", _("Public (help centre)")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "visibility", "language"], name="knowledge_art_state_idx")]
        constraints = [
            # One translation per language of an original.
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                condition=models.Q(translation_of__isnull=False),
                name="knowledge_one_translation_per_language",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        """What a customer or a visitor may read."""
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC


class ArticleRevision(models.Model):
    """An article as one edit left it: who, when, and its text then."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Article.Status.choices)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Article.Visibility.choices)

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class ArticleTicket(models.Model):
    """An article made from (or documenting) a ticket's resolution: "the tickets it solved"."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="ticket_links"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="article_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article's ticket")
        verbose_name_plural = _("article's tickets")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "ticket"], name="knowledge_article_ticket_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} ← {self.ticket_id}"


class DeflectionVisit(models.Model):
    """One new-request form session on the portal that was shown article suggestions (item 6).

    Created when the first suggestions are shown for the form's token, never when the form is
    merely displayed (crawlers of the home page write nothing). Only the token's SHA-256 is kept;
    nothing the customer typed, nor who they are, is stored. Whether a visit was a deflection is
    computed when the figures are read (``knowledge.selectors.deflection_figures``).
    """

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("first suggestions shown"), default=timezone.now, db_index=True)
    shown_articles = models.JSONField(_("articles suggested"), default=list, blank=True)
    first_opened_at = models.DateTimeField(_("first article opened"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("request submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("self-service visit")
        verbose_name_plural = _("self-service visits")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"visit {self.pk}"


class DeflectionOpen(models.Model):
    """A suggested article opened from a visit's suggestions: once per article and visit."""

    visit = models.ForeignKey(
        DeflectionVisit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="opens"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="deflection_opens"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("suggested article opened")
        verbose_name_plural = _("suggested articles opened")
        constraints = [
            models.UniqueConstraint(fields=["visit", "article"], name="knowledge_deflection_open_once")
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.article_id}"
