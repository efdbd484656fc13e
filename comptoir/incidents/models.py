"""Major incidents and their broadcasts (issue 13, items 1 to 3).

An incident names what broke (a service and/or an area), how badly, where it stands, the way
around it and when the next word comes. Tickets are linked to it (by hand, from suggestions, or
by a rule in the enrichment); each update is written once in French and English and broadcast
through the outbox to every affected customer, one delivery per (update, customer).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


def _in_french() -> bool:
    return (get_language() or "en").startswith("fr")


class Service(models.Model):
    """Something customers use that can break (electricity, water, the online account).

    ``keywords`` (one per line or comma-separated, French and English) and ``category`` are what
    the automatic linking rule looks for in a new ticket."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("Words that name this service in a ticket, one per line or separated by commas."),
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("ticket category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name_fr if _in_french() else self.name_en

    def keyword_list(self) -> list[str]:
        raw = self.keywords.replace("\n", ",")
        return [k.strip() for k in raw.split(",") if k.strip()]


class ServiceSubscription(models.Model):
    """A customer who asked to hear about a service's incidents before writing to us."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service subscription")
        verbose_name_plural = _("service subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["service", "customer"], name="incident_subscription_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.service_id}"


class Incident(models.Model):
    class Status(models.TextChoices):
        INVESTIGATING = "investigating", pgettext_lazy("incident status", "Investigating")
        IDENTIFIED = "identified", pgettext_lazy("incident status", "Identified")
        MONITORING = "monitoring", pgettext_lazy("incident status", "Monitoring")
        RESOLVED = "resolved", pgettext_lazy("incident status", "Resolved")

    class Impact(models.TextChoices):
        MINOR = "minor", pgettext_lazy("incident impact", "Minor")
        MAJOR = "major", pgettext_lazy("incident impact", "Major")
        CRITICAL = "critical", pgettext_lazy("incident impact", "Critical")

    OPEN_STATUSES = (Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING)

    title = models.CharField(_("title"), max_length=200)
    service = models.ForeignKey(
        Service,
        verbose_name=_("affected service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    area = models.CharField(
        _("affected area"),
        max_length=100,
        blank=True,
        help_text=_("A postal-code prefix or a district; customers whose area starts with it are affected."),
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Impact, default=Impact.MAJOR)
    status = models.CharField(_("status"), max_length=15, choices=Status, default=Status.INVESTIGATING)
    workaround_fr = models.TextField(_("workaround (French)"), blank=True)
    workaround_en = models.TextField(_("workaround (English)"), blank=True)
    next_update_at = models.DateTimeField(_("next update at"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("declared from ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["status", "-id"], name="incident_status_idx"),
            models.Index(fields=["-resolved_at"], name="incident_resolved_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"INC-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED

    def workaround_in(self, language: str) -> str:
        """The workaround in ``language``, else in the other one."""
        first, second = (
            (self.workaround_fr, self.workaround_en)
            if language.startswith("fr")
            else (self.workaround_en, self.workaround_fr)
        )
        return first or second


class IncidentUpdate(models.Model):
    """One update, written once in both languages, and the state of its broadcast.

    The broadcast walks the affected customers in id order, a batch per transaction:
    ``broadcast_cursor`` is the last customer id reached, so an interrupted send resumes where
    its last committed batch ended; each delivery's key (``incident:<update>:<customer>``) makes
    a second one for the same customer impossible anyway."""

    class Broadcast(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Every affected customer reached")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="updates"
    )
    body_fr = models.TextField(_("message (French)"))
    body_en = models.TextField(_("message (English)"))
    status = models.CharField(_("status after this update"), max_length=15, choices=Incident.Status)
    resolves = models.BooleanField(_("resolves the incident"), default=False)
    resolve_tickets = models.BooleanField(_("resolves the linked tickets"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published at"), auto_now_add=True)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=200, null=True, blank=True, unique=True
    )
    request_fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True)
    broadcast = models.CharField(_("broadcast"), max_length=10, choices=Broadcast, default=Broadcast.PENDING)
    broadcast_cursor = models.BigIntegerField(_("last customer reached"), default=0)
    audience = models.PositiveIntegerField(_("affected customers counted"), default=0)
    enqueued = models.PositiveIntegerField(_("deliveries queued"), default=0)
    broadcast_touched_at = models.DateTimeField(_("broadcast last advanced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")
        indexes = [
            models.Index(fields=["incident", "-id"], name="incident_update_idx"),
            # The sweep: broadcasts not done whose last batch is old (a lost task).
            models.Index(
                fields=["broadcast_touched_at"],
                condition=~models.Q(broadcast="done"),
                name="incident_broadcast_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} #{self.pk}"

    def body_in(self, language: str) -> str:
        return self.body_fr if language.startswith("fr") else self.body_en


class IncidentTicket(models.Model):
    """A ticket linked to an incident (one link per pair)."""

    class How(models.TextChoices):
        MANUAL = "manual", _("By hand")
        SUGGESTED = "suggested", _("From a suggestion")
        RULE = "rule", _("By a rule")

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="links"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )
    how = models.CharField(_("linked how"), max_length=10, choices=How, default=How.MANUAL)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    # The final update that resolved this ticket with a reply (its customer got that reply, so
    # the update's broadcast leaves them out).
    resolved_by = models.ForeignKey(
        IncidentUpdate,
        verbose_name=_("resolved by update"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("linked ticket")
        verbose_name_plural = _("linked tickets")
        constraints = [models.UniqueConstraint(fields=["ticket", "incident"], name="incident_ticket_uniq")]
        indexes = [models.Index(fields=["incident", "-id"], name="incident_ticket_recent_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id} ← {self.ticket_id}"


# --- Problems (issue 13, items 4 to 6) -----------------------------------------------------------


class Problem(models.Model):
    """The shared cause behind recurring incidents and tickets, until it is fixed for good.

    A known error (the cause is understood and a workaround exists) publishes a knowledge-base
    article in one action; ``article`` keeps the link to it (the French one when both exist)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("problem status", "Open")
        KNOWN_ERROR = "known_error", pgettext_lazy("problem status", "Known error")
        RESOLVED = "resolved", pgettext_lazy("problem status", "Resolved")
        CLOSED = "closed", pgettext_lazy("problem status", "Closed")

    title = models.CharField(_("title"), max_length=200)
    root_cause = models.TextField(_("root cause"), blank=True)
    workaround_fr = models.TextField(_("workaround (French)"), blank=True)
    workaround_en = models.TextField(_("workaround (English)"), blank=True)
    known_error = models.BooleanField(_("known error"), default=False)
    status = models.CharField(_("status"), max_length=15, choices=Status, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("category"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    article = models.ForeignKey(
        "knowledge.Article", verbose_name=_("knowledge-base article"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [models.Index(fields=["status", "-id"], name="problem_status_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"PRB-{self.pk}"


class ProblemIncident(models.Model):
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="incident_links"
    )
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="problem_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident of a problem")
        verbose_name_plural = _("incidents of a problem")
        constraints = [models.UniqueConstraint(fields=["problem", "incident"], name="problem_incident_uniq")]

    def __str__(self) -> str:
        return f"{self.problem_id} ← INC-{self.incident_id}"


class ProblemTicket(models.Model):
    class How(models.TextChoices):
        MANUAL = "manual", _("By hand")
        DETECTED = "detected", _("From a detected cluster")

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="ticket_links"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )
    how = models.CharField(_("linked how"), max_length=10, choices=How, default=How.MANUAL)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket of a problem")
        verbose_name_plural = _("tickets of a problem")
        constraints = [models.UniqueConstraint(fields=["problem", "ticket"], name="problem_ticket_uniq")]
        indexes = [models.Index(fields=["ticket"], name="problem_ticket_by_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.problem_id} ← {self.ticket_id}"


class ProblemProposal(models.Model):
    """A cluster of recent tickets that detection thinks share a cause, and why: the tickets,
    their common words, configuration items and category. ``fingerprint`` (SHA-256 of the sorted
    ticket ids) names the exact set; a dismissed proposal's tickets are kept, so that the same
    cluster is not proposed again unless it grows substantially."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("proposal status", "Waiting for a decision")
        ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
        MERGED = "merged", pgettext_lazy("proposal status", "Merged into a problem")
        DISMISSED = "dismissed", pgettext_lazy("proposal status", "Dismissed")

    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    fingerprint = models.CharField(_("fingerprint of its tickets"), max_length=64)
    size = models.PositiveIntegerField(_("tickets"))
    shared_terms = models.JSONField(_("shared terms"), default=list, blank=True)
    shared_items = models.JSONField(_("shared configuration items"), default=list, blank=True)
    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("category"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    window_days = models.PositiveIntegerField(_("window (days)"))
    first_at = models.DateTimeField(_("first ticket at"))
    last_at = models.DateTimeField(_("last ticket at"))
    cohesion = models.FloatField(_("mean similarity"), default=0.0)
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="proposals",
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("problem proposal")
        verbose_name_plural = _("problem proposals")
        indexes = [
            models.Index(fields=["status", "-id"], name="problem_proposal_status_idx"),
            models.Index(fields=["fingerprint"], name="problem_proposal_print_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.size})"


class ProposalTicket(models.Model):
    proposal = models.ForeignKey(
        ProblemProposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="ticket_links"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("ticket of a proposal")
        verbose_name_plural = _("tickets of a proposal")
        constraints = [models.UniqueConstraint(fields=["proposal", "ticket"], name="proposal_ticket_uniq")]
        indexes = [models.Index(fields=["ticket"], name="proposal_ticket_by_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.proposal_id} ← {self.ticket_id}"


class ClusterVector(models.Model):
    """A recent ticket's problem text as a sentence vector (512 float16, unit length), kept so
    that hourly detection embeds each ticket once. Resolved tickets' vectors are read from the
    search app's suggestion vectors instead (the same text, the same model)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, primary_key=True,
        related_name="+",
    )  # fmt: skip
    vector = models.BinaryField(_("vector"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cluster vector")
        verbose_name_plural = _("cluster vectors")

    def __str__(self) -> str:
        return f"{self.ticket_id}"


class CoachingSuggestion(models.Model):
    """One customer keeps writing about the same thing (a category, or a problem's cluster):
    the account's coordinator may send a short explanation or offer a training session. One
    suggestion (and one notification) per customer, subject and period."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("coaching status", "To do")
        DONE = "done", pgettext_lazy("coaching status", "Done")
        DISMISSED = "dismissed", pgettext_lazy("coaching status", "Dismissed")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("subject key"), max_length=60)
    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("category"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="coaching",
    )  # fmt: skip
    ticket_ids = models.JSONField(_("tickets"), default=list)
    period_start = models.DateTimeField(_("period start"))
    period_days = models.PositiveIntegerField(_("period (days)"))
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coordinator"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("suggested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("coaching suggestion")
        verbose_name_plural = _("coaching suggestions")
        constraints = [
            models.UniqueConstraint(fields=["customer", "key", "period_start"], name="coaching_once_uniq")
        ]
        indexes = [
            models.Index(fields=["customer", "key", "-period_start"], name="coaching_customer_idx"),
            models.Index(fields=["status", "-id"], name="coaching_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.key}"

    @property
    def count(self) -> int:
        return len(self.ticket_ids)
