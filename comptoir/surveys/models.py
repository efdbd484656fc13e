"""Surveys after resolution and the voice-of-customer log (issue 12, items 4 and 5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    """The one survey of a ticket, created when it is first resolved.

    Its link's token is never stored: only its SHA-256 (``token_hash``), written when the message
    leaves, so a copy of the database opens no survey. A second resolution finds this row (the
    unique ticket) and sends nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        UNSENT = "unsent", _("Not sent (no consented address)")

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="survey"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="surveys"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    token_hash = models.CharField(_("token hash"), max_length=64, null=True, blank=True, unique=True)
    send_after = models.DateTimeField(_("send after"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1 to 5)"), null=True, blank=True)
    effort = models.PositiveSmallIntegerField(_("effort (1 to 7)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("answer updated at"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("low-score alert sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["status", "send_after"], name="survey_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__range=(1, 5)),
                name="survey_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=models.Q(effort__isnull=True) | models.Q(effort__range=(1, 7)),
                name="survey_effort_range",
            ),
        ]

    def __str__(self) -> str:
        return f"survey {self.ticket_id}"


class VocEntry(models.Model):
    """One thing a customer told us, with its evidence: a ticket, one of its messages, a survey."""

    class Source(models.TextChoices):
        AGENT = "agent", _("Written by an agent")
        SURVEY = "survey", _("Survey comment")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="voc_entries"
    )
    comment = models.TextField(_("comment"))
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.AGENT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    message = models.ForeignKey(
        "tickets.Message", verbose_name=_("message"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    survey = models.OneToOneField(
        Survey, verbose_name=_("survey"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="voc_entry",
    )  # fmt: skip
    # The comment and the customer's name, lowercase without accents (``services.fold``): the
    # log's word filter, the same on SQLite (whose LIKE folds ASCII only) and PostgreSQL.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("voice-of-customer entry")
        verbose_name_plural = _("voice-of-customer entries")
        # The log's two orders: newest first, over everyone or one customer.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="voc_recent_idx"),
            models.Index(fields=["customer", "-created_at", "-id"], name="voc_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.comment[:40]}"
