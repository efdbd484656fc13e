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
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10)
    dedupe_key = models.CharField(_("deduplication key"), max_length=255, unique=True)
    payload = models.JSONField(_("payload"), default=dict)
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
        indexes = [models.Index(fields=["status", "id"], name="inbound_status_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {self.dedupe_key} ({self.status})"
