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

from django.db import models
from django.utils.translation import gettext_lazy as _

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
    "created", "complaints", "unhappy", "messages_scored", "messages_negative",
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


class SweepCursor(models.Model):
    """How far the sweep has read each source of change (see ``services.metrics_sweep``)."""

    source = models.CharField(max_length=40, primary_key=True)
    position = models.DateTimeField()
    # The last sweep stopped at its limit: the next one reads on from ``position`` itself rather
    # than from a few seconds before it.
    behind = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.source} @ {self.position}"
