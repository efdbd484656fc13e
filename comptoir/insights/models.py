"""Figures of the quality dashboard (issue 12, items 6 to 9), kept up to date incrementally.

Two tables, both derived (``comptoir metrics rebuild`` writes them again from the tickets):

- ``TicketFact``: one row per ticket with what the figures need (day created, day resolved, time
  to first response and to resolution, level-1 or escalated, SLA met or missed, survey answers,
  effort, sentiment counts). The sweep recomputes the facts of the tickets that changed since it
  last ran, and applies the difference to...
- ``DailyFigures``: sums per day, team, category and channel, with histograms of the two
  durations. A dashboard page adds up at most a few rows per day of the period instead of
  scanning every ticket; medians and 90th percentiles are read from the tickets themselves when
  the period holds few of them (exact), from the histograms otherwise (within a bucket).

Team, category and customer are plain integers, 0 for none: a unique key over nullable columns
would let two rows share a cell, and these tables must not hold the others' rows back from being
deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Edges of the duration histograms, in minutes: bucket i holds [EDGES[i], EDGES[i + 1]), the last
# one everything from EDGES[-1] on. Fine where service levels are set (minutes to a few hours),
# coarse beyond a week.
DURATION_EDGES: tuple[int, ...] = (
    0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440, 2160, 2880,
    4320, 5760, 7200, 10080, 14400, 20160, 30240, 43200, 64800, 86400,
)  # fmt: skip
BUCKETS = len(DURATION_EDGES)


class SlaOutcome(models.IntegerChoices):
    NONE = 0, _("No target or not decided yet")
    MET = 1, _("Met")
    MISSED = 2, _("Missed")


class TicketFact(models.Model):
    """What one ticket adds to the figures, as last applied to ``DailyFigures``."""

    ticket_id = models.BigIntegerField(_("ticket"), primary_key=True)
    version = models.PositiveIntegerField(_("ticket version seen"), default=0)
    customer_id = models.BigIntegerField(_("customer"), default=0)
    team_id = models.BigIntegerField(_("team"), default=0)
    category_id = models.BigIntegerField(_("category"), default=0)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_day = models.DateField(_("day created"))
    is_open = models.BooleanField(_("open"), default=True)
    resolved_day = models.DateField(_("day resolved"), null=True, blank=True)
    first_response_seconds = models.PositiveBigIntegerField(
        _("time to first response"), null=True, blank=True
    )
    resolution_seconds = models.PositiveBigIntegerField(_("time to resolution"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated to level 2"), default=False)
    reopened = models.PositiveIntegerField(_("reopenings"), default=0)
    first_response_sla = models.PositiveSmallIntegerField(
        _("first-response target"), choices=SlaOutcome, default=SlaOutcome.NONE
    )
    resolution_sla = models.PositiveSmallIntegerField(
        _("resolution target"), choices=SlaOutcome, default=SlaOutcome.NONE
    )
    complaint = models.BooleanField(_("complaint"), default=False)
    unhappy = models.BooleanField(_("unhappy customer"), default=False)
    effort = models.PositiveSmallIntegerField(_("effort score"), null=True, blank=True)
    high_effort = models.BooleanField(_("high effort"), default=False)
    csat = models.PositiveSmallIntegerField(_("satisfaction (1 to 5)"), null=True, blank=True)
    ces = models.PositiveSmallIntegerField(_("survey effort (1 to 7)"), null=True, blank=True)
    messages_scored = models.PositiveIntegerField(_("customer messages scored"), default=0)
    messages_negative = models.PositiveIntegerField(_("negative customer messages"), default=0)
    # False for a ticket merged into another: its figures are the survivor's.
    counted = models.BooleanField(_("counted"), default=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("ticket figures")
        verbose_name_plural = _("ticket figures")
        indexes = [
            models.Index(fields=["created_day"], name="fact_created_idx"),
            models.Index(fields=["resolved_day"], name="fact_resolved_idx"),
            models.Index(fields=["customer_id", "created_day"], name="fact_customer_idx"),
            models.Index(fields=["created_at"], condition=models.Q(is_open=True), name="fact_backlog_idx"),
        ]

    def __str__(self) -> str:
        return f"figures of ticket {self.ticket_id}"


# The counters of a day's cell: those counted on the day a ticket was created, and those counted
# on the day it was (last) resolved.
CREATED_COUNTERS: tuple[str, ...] = (
    "open_now", "created", "complaints", "unhappy", "messages_scored", "messages_negative",
    "first_responses", "first_response_sla_due", "first_response_sla_met",
)  # fmt: skip
RESOLVED_COUNTERS: tuple[str, ...] = (
    "resolved", "resolved_level1", "escalated", "reopened", "resolution_sla_due", "resolution_sla_met",
    "csat_sum", "csat_count", "ces_sum", "ces_count", "effort_sum", "effort_count", "high_effort",
)  # fmt: skip
FIRST_RESPONSE_BUCKETS: tuple[str, ...] = tuple(f"fr_b{i}" for i in range(BUCKETS))
RESOLUTION_BUCKETS: tuple[str, ...] = tuple(f"res_b{i}" for i in range(BUCKETS))
COUNTERS = CREATED_COUNTERS + RESOLVED_COUNTERS + FIRST_RESPONSE_BUCKETS + RESOLUTION_BUCKETS


class DailyFigures(models.Model):
    """Sums for one day, team, category and channel (0 / "" for none)."""

    day = models.DateField(_("day"))
    # The first day of ``day``'s month: the dashboard groups by it without a date function.
    month = models.DateField(_("month"))
    team_id = models.BigIntegerField(_("team"), default=0)
    category_id = models.BigIntegerField(_("category"), default=0)
    channel = models.CharField(_("channel"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "category_id", "channel"], name="daily_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} category {self.category_id} {self.channel}"


for _name in COUNTERS:
    DailyFigures.add_to_class(_name, models.BigIntegerField(default=0))
del _name


# The row of ``SweepCursor`` that says when the sweep last finished (the dashboard shows it).
SWEPT = "_swept"


class SweepCursor(models.Model):
    """How far the sweep has read each source of change (see ``services.metrics_sweep``)."""

    source = models.CharField(max_length=40, primary_key=True)
    position = models.DateTimeField()
    # The last sweep stopped at its limit: the next one reads on from ``position`` itself rather
    # than from a few seconds before it.
    behind = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.source} @ {self.position}"


# Quality thresholds and corrective actions (issue 12, item 7): see ``thresholds.py``.


class ThresholdFigure(models.TextChoices):
    """The figures a threshold can watch: ``selectors.FIGURES`` and two shares of missed targets
    (one minus the met shares), which read more naturally as "breaches above 2 %"."""

    TICKETS_CREATED = "tickets_created", _("Tickets created")
    TICKETS_RESOLVED = "tickets_resolved", _("Tickets resolved")
    LEVEL1_RESOLUTION_SHARE = "level1_resolution_share", _("Share resolved at level 1")
    ESCALATED_SHARE = "escalated_share", _("Share escalated to level 2")
    COMPLAINTS = "complaints", _("Complaints")
    FIRST_RESPONSE_SLA_MET_SHARE = "first_response_sla_met_share", _("First-response SLA met (share)")
    FIRST_RESPONSE_SLA_MISSED_SHARE = (
        "first_response_sla_missed_share",
        _("First-response SLA missed (share)"),
    )
    RESOLUTION_SLA_MET_SHARE = "resolution_sla_met_share", _("Resolution SLA met (share)")
    RESOLUTION_SLA_MISSED_SHARE = "resolution_sla_missed_share", _("Resolution SLA missed (share)")
    FIRST_RESPONSE_MINUTES_MEDIAN = "first_response_minutes_median", _("First-response time, median")
    FIRST_RESPONSE_MINUTES_P90 = "first_response_minutes_p90", _("First-response time, 90th percentile")
    RESOLUTION_MINUTES_MEDIAN = "resolution_minutes_median", _("Resolution time, median")
    RESOLUTION_MINUTES_P90 = "resolution_minutes_p90", _("Resolution time, 90th percentile")
    REOPENED = "reopened", _("Reopenings")
    UNHAPPY = "unhappy", _("Unhappy customers")
    CSAT_AVERAGE = "csat_average", _("Satisfaction, average (1 to 5)")
    CES_AVERAGE = "ces_average", _("Survey effort, average (1 to 7)")
    EFFORT_AVERAGE = "effort_average", _("Effort score, average")
    HIGH_EFFORT = "high_effort", _("High-effort tickets")
    NEGATIVE_SHARE = "negative_share", _("Negative customer messages (share)")
    BACKLOG = "backlog", _("Open tickets now")


class QualityThreshold(models.Model):
    """A manager's bound on one figure over a window; crossing it opens a corrective action.

    Not a contractual SLA target (those are the SLA policies' due times, per ticket): a threshold
    is an internal early warning on a figure of many tickets. ``value`` is in the figure's unit
    as typed on the desk: percent for shares (85 for 85 %), minutes for times, the scale for
    averages, a number for counts. ``crossed``, ``last_value`` and ``last_evaluated_at`` are what
    the last evaluation found; ``crossings`` counts the crossings (each opened one action).
    """

    class Comparison(models.TextChoices):
        BELOW = "below", _("falls below")
        ABOVE = "above", _("rises above")

    class Window(models.TextChoices):
        DAY = "day", _("this day")
        WEEK = "week", _("this week (from Monday)")
        MONTH = "month", _("this month")
        LAST_7_DAYS = "last_7_days", _("the last 7 days")
        LAST_30_DAYS = "last_30_days", _("the last 30 days")

    figure = models.CharField(_("figure"), max_length=40, choices=ThresholdFigure)
    comparison = models.CharField(_("when the figure"), max_length=5, choices=Comparison)
    value = models.DecimalField(
        _("threshold"),
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "In the figure's unit: percent for shares (85 for 85 %), minutes for times, the scale "
            "for averages, a number for counts."
        ),
    )
    window = models.CharField(_("over"), max_length=12, choices=Window, default=Window.WEEK)
    team = models.ForeignKey(
        "routing.Team", verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    category = models.ForeignKey(
        "tickets.Category", verbose_name=_("category"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+",
        help_text=_("The agent who receives the corrective action when the threshold is crossed."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    crossed = models.BooleanField(_("crossed now"), default=False)
    crossings = models.PositiveIntegerField(_("crossings"), default=0)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    last_evaluated_at = models.DateTimeField(_("last evaluated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quality threshold")
        verbose_name_plural = _("quality thresholds")
        indexes = [models.Index(fields=["active", "id"], name="threshold_active_idx")]

    def __str__(self) -> str:
        return f"{self.figure} {self.comparison} {self.value} ({self.window})"


class CorrectiveAction(models.Model):
    """A task opened for a threshold's owner by one crossing (``crossing``: the threshold's
    count at the time, unique with it, so two evaluations at once cannot open two)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("corrective action", "Open")
        DONE = "done", pgettext_lazy("corrective action", "Done")

    threshold = models.ForeignKey(
        QualityThreshold, verbose_name=_("threshold"), on_delete=models.CASCADE, related_name="actions"
    )
    crossing = models.PositiveIntegerField(_("crossing"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    figure = models.CharField(_("figure"), max_length=40, choices=ThresholdFigure)
    figure_value = models.FloatField(_("figure's value"))
    threshold_value = models.FloatField(_("threshold"))
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end"))
    status = models.CharField(_("status"), max_length=5, choices=Status, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        constraints = [
            models.UniqueConstraint(fields=["threshold", "crossing"], name="corrective_action_once")
        ]
        indexes = [models.Index(fields=["owner", "status", "-id"], name="action_owner_idx")]

    def __str__(self) -> str:
        return self.title


# Key accounts' monthly report (issue 12, item 8): see ``key_accounts.py``.


class QualityReportSubscription(models.Model):
    """A key-account customer asked for their quality report by email each month."""

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)
    # The first day of the last month whose report was queued (None: none yet).
    last_month = models.DateField(_("last month sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quality report subscription")
        verbose_name_plural = _("quality report subscriptions")

    def __str__(self) -> str:
        return f"quality report of customer {self.customer_id}"
