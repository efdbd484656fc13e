"""An agent's notifications, their email preference per kind, and who is on a ticket's page now."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something that happened on a ticket that one agent should know; read or not yet."""

    class Kind(models.TextChoices):
        CUSTOMER_REPLY = "customer_reply", _("A customer answered my ticket")
        ASSIGNED = "assigned", _("A ticket was assigned to me")
        ESCALATED = "escalated", _("A ticket was escalated to me or my team")
        APPROVAL = "approval", _("A reply waits for my approval")
        SLA_WARNING = "sla_warning", _("SLA warning on my ticket or my team's")
        SLA_BREACH = "sla_breach", _("SLA target missed on my ticket or my team's")
        # Not about a ticket (``ticket`` empty, ``link`` set); always emailed too, by its sender.
        CORRECTIVE_ACTION = "corrective_action", _("A quality threshold I own was crossed")
        COACHING = "coaching", _("A customer I coordinate keeps asking about the same thing")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    # Empty for a notice about something else than a ticket (``link`` says where to look).
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+",
        null=True, blank=True,
    )  # fmt: skip
    link = models.CharField(_("link"), max_length=300, blank=True)
    # Who caused it, as shown (a customer's or an agent's name); empty: the system.
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    # A short detail (the SLA target, the escalation's reason), shown as it is.
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    # Names the event: the same event never notifies the same person twice.
    key = models.CharField(_("key"), max_length=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_idx"),
            # The bell: a recipient's unread ones only.
            models.Index(
                fields=["recipient", "-id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    # Kinds their sender always emails itself: no "also by email" preference for them.
    ALWAYS_EMAILED = frozenset({Kind.CORRECTIVE_ACTION, Kind.COACHING})

    def __str__(self) -> str:
        return f"{self.kind} #{self.ticket_id}"


class NotificationSetting(models.Model):
    """How an agent wants one kind of notification: in the desk only (no row) or also by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Notification.Kind)
    email = models.BooleanField(_("also by email"), default=False)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_setting_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {'email' if self.email else 'desk'}"


class Presence(models.Model):
    """An agent has a ticket's page open (heartbeat from the page); writing: the reply box has text."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="+"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    writing = models.BooleanField(_("writing"), default=False)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="presence_once")]
        indexes = [models.Index(fields=["ticket", "seen_at"], name="presence_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.ticket_id}"
