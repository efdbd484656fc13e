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


# --- Suggestions (issue 11, item 4) ------------------------------------------------------------


class SuggestionVector(models.Model):
    """One sentence embedding: a published article, or a resolved/closed ticket's problem.

    ``vector`` is 512 float16 values, L2-normalised (1 KB a row: a million tickets fit in 1 GB).
    ``bucket`` is the inverted-file list the vector falls in (the nearest ``VectorCentroids``
    centroid), so a query reads a few lists instead of every row; 0 while its kind has none.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        TICKET = "ticket", _("Ticket")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    bucket = models.IntegerField(_("list"), default=0)
    vector = models.BinaryField(_("vector"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("suggestion vector")
        verbose_name_plural = _("suggestion vectors")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_vector_object_unique")
        ]
        indexes = [models.Index(fields=["kind", "bucket"], name="search_vector_bucket_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id}"


class VectorCentroids(models.Model):
    """The k-means centroids of one kind's vectors (float32, ``lists`` x 512), and how many
    vectors there were at training: retrained when the count has doubled since."""

    kind = models.CharField(_("kind"), max_length=10, choices=SuggestionVector.Kind.choices, unique=True)
    lists = models.PositiveIntegerField(_("lists"))
    centroids = models.BinaryField(_("centroids"))
    count = models.PositiveIntegerField(_("vectors at training"))
    trained_at = models.DateTimeField(_("trained at"), auto_now=True)

    class Meta:
        verbose_name = _("vector centroids")
        verbose_name_plural = _("vector centroids")

    def __str__(self) -> str:
        return f"{self.kind} ({self.lists})"


class TicketSuggestions(models.Model):
    """What the enrichment found for a ticket: ``[[id, score], ...]`` best first, before any
    visibility filter (applied when read). ``computed_at`` empty: asked for, not computed yet."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    articles = models.JSONField(_("articles"), default=list, blank=True)
    tickets = models.JSONField(_("similar tickets"), default=list, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket suggestions")
        verbose_name_plural = _("ticket suggestions")

    def __str__(self) -> str:
        return f"#{self.ticket_id}"


class SentArticle(models.Model):
    """An article linked (``/help/<id>/``) in a public reply that reached the customer: written
    once the reply is sent (a held reply once released), once per reply and article."""

    article = models.ForeignKey(
        "knowledge.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(
        "tickets.Message", verbose_name=_("reply"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("article sent")
        verbose_name_plural = _("articles sent")
        constraints = [
            models.UniqueConstraint(fields=["message", "article"], name="search_sent_article_unique")
        ]
        indexes = [models.Index(fields=["ticket", "sent_at"], name="search_sent_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.ticket_id}"
