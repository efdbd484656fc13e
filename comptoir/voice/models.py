"""What the customer's words and the ticket's history say about how the customer feels.

``MessageSentiment``: one row per inbound customer message, written once by the worker
(``services.message_score``). ``TicketVoice``: one row per ticket, its flags (``unhappy``,
``high_effort``) and the parts of its customer-effort score, kept incrementally (``effort``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.tickets.models import Message, Ticket


class MessageSentiment(models.Model):
    class Label(models.TextChoices):
        NEGATIVE = "negative", _("Negative")
        NEUTRAL = "neutral", _("Neutral")
        POSITIVE = "positive", _("Positive")

    message = models.OneToOneField(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sentiment",
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    label = models.CharField(_("label"), max_length=10, choices=Label)
    score = models.FloatField(_("score"), help_text=_("From -1 (very negative) to 1 (very positive)."))
    negative = models.FloatField(_("probability of negative"))
    cues = models.JSONField(_("cues"), default=list, blank=True)
    model_version = models.CharField(_("model version"), max_length=60, blank=True)
    distressed = models.BooleanField(_("anger or distress"), default=False)
    created_at = models.DateTimeField(_("scored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message sentiment")
        verbose_name_plural = _("message sentiments")
        indexes = [models.Index(fields=["ticket", "message"], name="sentiment_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.label} ({self.score:+.2f})"


class TicketVoice(models.Model):
    """A ticket's flags and effort parts; created when first needed (not on intake's path)."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, primary_key=True, related_name="voice"
    )
    unhappy = models.BooleanField(_("unhappy customer"), default=False)
    unhappy_cues = models.JSONField(_("why unhappy"), default=list, blank=True)
    unhappy_message_id = models.BigIntegerField(_("message that showed it"), null=True, blank=True)
    # Effort parts (voice.effort.effort_score says how they weigh).
    contacts = models.PositiveIntegerField(_("customer contacts"), default=0)
    channels = models.JSONField(_("channels used"), default=list, blank=True)
    transfers = models.PositiveIntegerField(_("transfers between teams"), default=0)
    escalations = models.PositiveIntegerField(_("escalations"), default=0)
    reopenings = models.PositiveIntegerField(_("reopenings"), default=0)
    repeats = models.PositiveIntegerField(_("questions asked again"), default=0)
    waiting_seconds = models.PositiveBigIntegerField(_("time waiting on us (seconds)"), default=0)
    waiting_since = models.DateTimeField(_("waiting on us since"), null=True, blank=True)
    effort = models.PositiveSmallIntegerField(_("effort score"), default=0)
    high_effort = models.BooleanField(_("high effort"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ticket voice")
        verbose_name_plural = _("ticket voices")
        indexes = [
            # The "High effort" list: newest tickets first, only the flagged rows.
            models.Index(
                fields=["-ticket"], condition=models.Q(high_effort=True), name="voice_high_effort_idx"
            ),
            models.Index(fields=["-ticket"], condition=models.Q(unhappy=True), name="voice_unhappy_idx"),
        ]

    def __str__(self) -> str:
        return f"voice of ticket {self.ticket_id}"

    @property
    def flags(self) -> list[str]:
        return [name for name, on in (("unhappy", self.unhappy), ("high_effort", self.high_effort)) if on]
