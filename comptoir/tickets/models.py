from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.common.models import BaseModel

# Sorts after every real due time: tickets without a target come last in due-time order.
DUE_NEVER = datetime(9999, 12, 31, tzinfo=UTC)


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    skill = models.ForeignKey(
        "routing.Skill",
        verbose_name=_("skill required"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Only agents with this skill receive these tickets through next ticket."),
    )
    team = models.ForeignKey(
        "routing.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The team that receives tickets triaged into this category."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["slug"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_fr if (get_language() or "en").startswith("fr") else self.name_en


class Ticket(BaseModel):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("ticket status", "New")
        OPEN = "open", pgettext_lazy("ticket status", "Open")
        WAITING_CUSTOMER = "waiting_customer", pgettext_lazy("ticket status", "Waiting on customer")
        WAITING_INTERNAL = "waiting_internal", pgettext_lazy("ticket status", "Waiting internally")
        RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
        CLOSED = "closed", pgettext_lazy("ticket status", "Closed")

    class Priority(models.TextChoices):
        P1 = "P1", _("P1 – critical")
        P2 = "P2", _("P2 – high")
        P3 = "P3", _("P3 – normal")
        P4 = "P4", _("P4 – low")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING_CUSTOMER, Status.WAITING_INTERNAL)

    class Level(models.IntegerChoices):
        L1 = 1, _("Level 1")
        L2 = 2, _("Level 2")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW)
    is_open = models.BooleanField(_("open"), default=True)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority, default=Priority.P3)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True
    )
    # db_index=False on team, assignee and customer: the composite indexes below start with
    # them, and every extra index costs each insert.
    team = models.ForeignKey(
        "routing.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    channel = models.CharField(_("origin channel"), max_length=10, choices=Channel)
    language = models.CharField(_("language"), max_length=8, default="en")
    version = models.PositiveIntegerField(_("version"), default=1)
    tracking_uid = models.UUIDField(_("tracking id"), default=uuid.uuid4, unique=True)
    linked_to = models.ForeignKey(
        "self",
        verbose_name=_("linked to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_tickets",
    )
    review_reason = models.CharField(_("needs review because"), max_length=200, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    # Service level (issue 4): the policy that applies and its due times, kept up to date by
    # tickets.sla (ticket_sla_start on creation, ticket_sla_fields with every change they depend on).
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy",
        verbose_name=_("SLA policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_warning_at = models.DateTimeField(_("SLA warning at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # The earliest pending target (first response, else resolution); DUE_NEVER when none, so
    # queues sort on one non-null indexed column.
    due_at = models.DateTimeField(_("due"), default=DUE_NEVER)
    # When the next warning or breach must fire; the scheduled task and the sweep read it.
    sla_next_check_at = models.DateTimeField(_("next SLA check"), null=True, blank=True, db_index=True)
    sla_breached = models.BooleanField(_("SLA missed"), default=False)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level, default=Level.L1)
    # Intake answered; the worker's enrichment (classifier, assignment...) has not finished yet.
    analysing = models.BooleanField(_("being analysed"), default=False)
    # Issue 10: a ticket merged into another is closed and points to the survivor (its tracking
    # link and replies by email lead there); a snoozed one leaves the active lists until then.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_tickets",
        db_index=False,
    )
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # Desk queue: a team's open tickets, most urgent first (due time, then priority).
            models.Index(fields=["team", "is_open", "due_at", "priority", "id"], name="ticket_queue_due_idx"),
            models.Index(fields=["is_open", "due_at", "priority", "id"], name="ticket_open_due_idx"),
            # Next ticket: a team's unassigned open tickets in the same order.
            models.Index(
                fields=["team", "is_open", "assignee", "due_at", "priority", "id"], name="ticket_next_idx"
            ),
            # API list filters, newest first.
            models.Index(fields=["status", "-id"], name="ticket_status_idx"),
            models.Index(fields=["is_open", "-id"], name="ticket_open_recent_idx"),
            models.Index(fields=["team", "-id"], name="ticket_team_idx"),
            models.Index(fields=["assignee", "-id"], name="ticket_assignee_idx"),
            # An agent's open tickets by due time; also counts their load for capacity (covering).
            models.Index(fields=["assignee", "is_open", "due_at"], name="ticket_assignee_open_idx"),
            models.Index(fields=["customer", "-id"], name="ticket_customer_idx"),
            # "Waiting for you" on the desk: flagged tickets, newest first; only flagged rows.
            models.Index(
                fields=["is_open", "-id"], condition=~models.Q(review_reason=""), name="ticket_flagged_idx"
            ),
            # The enrichment sweep: only the few tickets still being analysed.
            models.Index(
                fields=["created_at"], condition=models.Q(analysing=True), name="ticket_analysing_idx"
            ),
            # Work lists (issue 10) at 1M tickets: "recently updated" and the other sort orders
            # (bench/results/worklists.md: 0.5-4.5 s without these, 14-30 ms with them).
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_idx"),
            models.Index(fields=["team", "-updated_at", "-id"], name="ticket_team_updated_idx"),
            models.Index(fields=["is_open", "priority", "due_at", "id"], name="ticket_open_priority_idx"),
            models.Index(
                fields=["team", "is_open", "priority", "due_at", "id"], name="ticket_team_priority_idx"
            ),
            models.Index(
                fields=["is_open", "due_at", "priority", "id"],
                condition=models.Q(sla_breached=True),
                name="ticket_breached_idx",
            ),
            # The wake-up job: only the few snoozed tickets, soonest first.
            models.Index(
                fields=["snoozed_until"],
                condition=models.Q(snoozed_until__isnull=False),
                name="ticket_snoozed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"


class ConfigurationItem(models.Model):
    """Something the organisation runs (a server, a meter, a service) that notes can name."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer message")
        PUBLIC = "public", _("Public reply")
        INTERNAL = "internal", _("Internal note")

    class Hold(models.TextChoices):
        NONE = "", _("Not held")
        UNPROVEN = "unproven", _("Held: sender not proven")
        REJECTED = "rejected", _("Rejected: sender not proven")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    body = models.TextField(_("body"))
    body_html = models.TextField(_("sanitised HTML body"), blank=True)
    external_id = models.CharField(_("external id"), max_length=300, blank=True, db_index=True)
    auto_submitted = models.BooleanField(_("sent by a robot"), default=False)
    # An agent's retry key (API ``Idempotency-Key``, scoped per client). Unique: when a retry races
    # the first request, the database decides, not a read before the write. The fingerprint of
    # what was asked tells a true retry from a reused key.
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=255, null=True, blank=True, unique=True
    )
    request_fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True)
    # Pairing (issue 4): a junior's public reply on an urgent ticket waits for this senior.
    held_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waiting for approval by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Issue 10: what the junior asked for with a held reply ("send and set status", a macro's
    # status, priority, team), applied when the senior approves it: {"status": ..., "team": id}.
    held_changes = models.JSONField(
        _("changes waiting with the reply"), default=dict, blank=True,
        help_text=_("Applied to the ticket when the reply is approved."),
    )  # fmt: skip
    # Issue 8: an email from a participant's address that nothing proves waits for an agent, who
    # accepts it (it becomes the customer's words) or rejects it (kept, never shown to them).
    hold = models.CharField(_("held"), max_length=10, choices=Hold, blank=True, default=Hold.NONE)
    hold_reason = models.CharField(_("held because"), max_length=200, blank=True)
    configuration_items = models.ManyToManyField(
        ConfigurationItem, verbose_name=_("configuration items"), blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_idx"),
            # "Waiting for you" on the desk: held emails and held replies, newest first; only those rows.
            models.Index(fields=["-id"], condition=models.Q(hold="unproven"), name="message_unproven_idx"),
            models.Index(fields=["-id"], condition=models.Q(held_for__isnull=False), name="message_held_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def visibility(self) -> str:
        """Who may read it, as the API says: internal note, held (sender not proven, or rejected:
        never shown to the customer) or public."""
        if self.kind == self.Kind.INTERNAL:
            return "internal"
        return "held" if self.hold else "public"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is generated; the customer's name never reaches the filesystem.
    return f"{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=160)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """Append-only history: one row per changed field, written with the change."""

    class Kind(models.TextChoices):
        """What an event records: a field that changed, or something that happened to the ticket."""

        CREATED = "created", _("created")
        STATUS = "status", _("status")
        PRIORITY = "priority", _("priority")
        TEAM = "team", _("team")
        ASSIGNEE = "assignee", _("assignee")
        CATEGORY = "category", _("category")
        ATTACHMENT = "attachment", _("attachment")
        CONFIGURATION_ITEM = "configuration_item", _("configuration item")
        LINKED_TO = "linked_to", _("linked to")
        REVIEW_REASON = "review_reason", _("needs review because")
        CUSTOMER = "customer", _("customer")
        LEVEL = "level", _("level")
        ESCALATION = "escalation", _("escalation")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACH = "sla_breach", _("SLA target missed")
        TRIAGE = "triage", _("triage")
        PICK = "pick", _("picked from the queue")
        NEXT = "next", _("assigned by next ticket")
        SKIP = "skip", _("skipped")
        REPLY_HELD = "reply_held", _("reply held for approval")
        REPLY_APPROVED = "reply_approved", _("reply approved")
        MESSAGE_HELD = "message_held", _("message held: sender not proven")
        MESSAGE_ACCEPTED = "message_accepted", _("held message accepted")
        MESSAGE_REJECTED = "message_rejected", _("held message rejected")
        ENRICHMENT = "enrichment", _("analysis")
        MERGED_INTO = "merged_into", _("merged into")
        MERGED = "merged", _("ticket merged into this one")
        UNMERGED = "unmerged", _("merge undone")
        SPLIT = "split", _("message split into a new ticket")
        SPLIT_FROM = "split_from", _("split from")
        SNOOZED = "snoozed", _("snoozed until")
        WOKE = "woke", _("woke up")
        UNDONE = "undone", _("bulk change undone")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=40, choices=Kind)
    old = models.TextField(_("old value"), blank=True)
    new = models.TextField(_("new value"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "id"], name="event_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Ticket events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("Ticket events are append-only.")

    FIELD_LABELS = dict(Kind.choices)

    @property
    def field_label(self) -> str:
        return str(self.FIELD_LABELS.get(self.field, self.field))

    def _value_label(self, value: str) -> str:
        choices = {
            "status": Ticket.Status,
            "priority": Ticket.Priority,
            "created": Channel,
            "level": Ticket.Level,
        }
        enum = choices.get(self.field)
        key: str | int = int(value) if self.field == "level" and value.isdigit() else value
        if enum is not None and key in enum.values:
            return str(enum(key).label)
        from .history import event_value_label

        return event_value_label(self.field, value)

    @property
    def old_label(self) -> str:
        return self._value_label(self.old)

    @property
    def new_label(self) -> str:
        return self._value_label(self.new)

    @property
    def actor_display(self) -> str:
        return self.actor_label or str(_("System"))

    @cached_property
    def sentence(self) -> str:
        """What a person reads: one sentence in their language (``tickets.history``); a list of
        events gets theirs from ``history_sentences``, which fetches the names once."""
        from .history import event_sentence

        return event_sentence(self)


class SlaAlert(models.Model):
    """A warning or a breach that fired; the unique constraint is what makes firing idempotent."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Target missed")

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="sla_alerts", db_index=False
    )
    target = models.CharField(_("target"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    due_at = models.DateTimeField(_("due"))
    # When this clock started: the ticket's arrival, or for next response the customer's message.
    started_at = models.DateTimeField(_("clock started at"))
    created_at = models.DateTimeField(_("fired at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "kind", "started_at"], name="sla_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"


class BulkChange(models.Model):
    """One bulk action by an agent, kept so that it can be undone for a few minutes."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk change")
        verbose_name_plural = _("bulk changes")

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"


class BulkChangeItem(models.Model):
    """One ticket a bulk action changed: its fields before, and its version right after, so that
    undo restores them only when nobody changed the ticket since."""

    bulk = models.ForeignKey(
        BulkChange, verbose_name=_("bulk change"), on_delete=models.CASCADE, related_name="items"
    )
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+")
    old = models.JSONField(_("old values"), default=dict)
    version = models.PositiveIntegerField(_("version after the change"))

    class Meta:
        verbose_name = _("bulk change item")
        verbose_name_plural = _("bulk change items")

    def __str__(self) -> str:
        return f"{self.bulk_id}: {self.ticket_id}"


class TicketMerge(models.Model):
    """A merge of ``source`` into ``target``: what moved, so that it can be undone for a while."""

    source = models.ForeignKey(
        Ticket, verbose_name=_("merged ticket"), on_delete=models.CASCADE, related_name="+"
    )
    target = models.ForeignKey(
        Ticket, verbose_name=_("surviving ticket"), on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    message_ids = models.JSONField(_("messages moved"), default=list)
    source_status = models.CharField(_("status before the merge"), max_length=20)
    # The survivor's newest message right after the merge: undo is refused once a newer one exists.
    last_message_id = models.PositiveBigIntegerField(_("last message after the merge"), default=0)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket merge")
        verbose_name_plural = _("ticket merges")

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"
