"""The search index's source rows: one normalised document per ticket, customer and article.

Text here is ``search.text.normalise``'s output, never shown to anyone. SQLite indexes these
tables with FTS5 virtual tables kept in step by triggers; PostgreSQL with a generated tsvector
column and a GIN index (both created in migration 0001, by vendor).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketDocument(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    subject = models.TextField(_("subject and reference"), blank=True)
    body = models.TextField(_("messages the customer sees"), blank=True)
    internal = models.TextField(_("internal notes and held messages"), blank=True)

    class Meta:
        verbose_name = _("ticket search document")
        verbose_name_plural = _("ticket search documents")

    def __str__(self) -> str:
        return f"#{self.ticket_id}"


class CustomerDocument(models.Model):
    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    name = models.TextField(_("name"), blank=True)
    identities = models.TextField(_("email addresses, phones and account numbers"), blank=True)

    class Meta:
        verbose_name = _("customer search document")
        verbose_name_plural = _("customer search documents")

    def __str__(self) -> str:
        return f"#{self.customer_id}"


class ArticleDocument(models.Model):
    """A knowledge base article's normalised title and text (issue 11); its visibility is read
    from the article itself when searching, so a status change needs no re-index to apply."""

    article = models.OneToOneField(
        "knowledge.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    title = models.TextField(_("title"), blank=True)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("article search document")
        verbose_name_plural = _("article search documents")

    def __str__(self) -> str:
        return f"#{self.article_id}"
