from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """One message to send, persisted in the transaction that decided to send it.

    A background task sends it after commit and retries with backoff; the Message-ID is fixed at
    creation so that a resend after a crash mid-send carries the same id and can be discarded.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        ACK = "ack", _("Acknowledgment")
        REPLY = "reply", _("Reply to customer")
        TRACKING_LINK = "tracking_link", _("Tracking link")
        STAFF_ALERT = "staff_alert", _("Alert to staff")
        SURVEY = "survey", _("Satisfaction survey")
        INCIDENT = "incident", _("Incident update")
        QUALITY_REPORT = "quality_report", _("Monthly quality report")

    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    channel = models.CharField(_("channel"), max_length=10, default="email")
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    # [{"path": storage name, "filename": ..., "content_type": ...}]: files stay where they are.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["recipient", "kind", "created_at"], name="delivery_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.status})"


class CapturedEmail(models.Model):
    """Embedded mode: outgoing mail kept in the database and shown to staff instead of sent."""

    message_id = models.CharField(_("Message-ID"), max_length=200, db_index=True)
    recipients = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=300)
    raw = models.TextField(_("raw message"))
    created_at = models.DateTimeField(_("captured at"), auto_now_add=True)

    class Meta:
        verbose_name = _("captured email")
        verbose_name_plural = _("captured emails")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.subject


class CapturedSms(models.Model):
    """Embedded mode: outgoing texts kept in the database and shown to staff instead of sent."""

    recipient = models.CharField(_("recipient"), max_length=32)
    body = models.TextField(_("body"))
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("captured at"), auto_now_add=True)

    class Meta:
        verbose_name = _("captured SMS")
        verbose_name_plural = _("captured SMS")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.body[:40]}"
