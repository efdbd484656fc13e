from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundRecord(models.Model):
    """Every inbound payload, kept before it is processed: nothing received is ever lost.

    ``dedupe_key`` makes a redelivery (same Idempotency-Key, same Message-ID) land on the record
    already made, so it yields the same ticket instead of a second one.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        DUPLICATE = "duplicate", _("Duplicate")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Ignored")

    channel = models.CharField(_("channel"), max_length=10)
    dedupe_key = models.CharField(_("deduplication key"), max_length=255, unique=True)
    payload = models.JSONField(_("payload"), default=dict)
    raw = models.BinaryField(_("raw message"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    # The message's identity once parsed (e.g. Message-ID + content hash): two deliveries of one
    # email by two routes (SMTP, then IMAP) share it, and only one of them may be processed.
    message_key = models.CharField(_("message key"), max_length=300, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.SET_NULL, null=True, blank=True
    )
    message = models.ForeignKey(
        "tickets.Message",
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound record")
        verbose_name_plural = _("inbound records")
        indexes = [
            models.Index(fields=["status", "id"], name="inbound_status_idx"),
            models.Index(fields=["message_key"], name="inbound_message_key_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["message_key"],
                condition=models.Q(status="processed"),
                name="inbound_one_processed_per_message",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.dedupe_key} ({self.status})"
