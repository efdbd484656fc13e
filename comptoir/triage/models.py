"""Triage rules written by administrators, the decision kept for each ticket, training examples."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.common.choices import Tier
from comptoir.common.models import BaseModel


class TriageRule(BaseModel):
    """If every condition given matches, apply every action given. Lower order runs first.

    For each field (category, team, priority), the first matching rule that sets it wins, and a
    rule always beats the classifier.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("One word or phrase per line; any of them in the subject or text matches."),
    )
    channel = models.CharField(_("channel"), max_length=10, blank=True, help_text=_("Empty: any channel."))
    sender_domain = models.CharField(
        _("sender domain"), max_length=200, blank=True, help_text=_("e.g. example.com; empty: any sender.")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    customer_tier = models.CharField(_("customer tier"), max_length=30, choices=Tier, blank=True)
    set_category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("set category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    set_team = models.ForeignKey(
        "routing.Team",
        verbose_name=_("set team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    set_priority = models.CharField(_("set priority"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("triage rule")
        verbose_name_plural = _("triage rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class TriageDecision(models.Model):
    """What triage decided for a ticket and how sure it was; open low-confidence ones form the queue."""

    class Source(models.TextChoices):
        RULE = "rule", _("Rule")
        MODEL = "model", _("Classifier")
        NONE = "none", _("Undecided")

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="triage"
    )
    language = models.CharField(_("language"), max_length=8)
    language_confidence = models.FloatField(_("language confidence"))
    label = models.CharField(_("predicted label"), max_length=100, blank=True)
    confidence = models.FloatField(_("confidence"), default=0)
    source = models.CharField(_("decided by"), max_length=10, choices=Source)
    rules = models.CharField(_("rules applied"), max_length=300, blank=True)
    needs_review = models.BooleanField(_("in the triage queue"), default=False)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("triage decision")
        verbose_name_plural = _("triage decisions")
        indexes = [
            models.Index(fields=["needs_review", "id"], name="triage_queue_idx"),
            # Outage reports of the last hour are counted on every outage-like request.
            models.Index(fields=["created_at"], name="triage_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.confidence:.2f})"


class TrainingExample(models.Model):
    """A labelled text the organisation's classifier learns from (agents' corrections first)."""

    class Source(models.TextChoices):
        CORRECTION = "correction", _("Agent correction")
        IMPORT = "import", _("Imported")

    text = models.TextField(_("text"))
    label = models.CharField(_("category"), max_length=100)
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    predicted = models.CharField(_("what triage had said"), max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training example")
        verbose_name_plural = _("training examples")

    def __str__(self) -> str:
        return self.label
