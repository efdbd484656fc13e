"""One ticket's facts and what they add to each day's cell: the one rule shared by the sweep that
fills ``DailyFigures`` and the readers that add up a few tickets' facts themselves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime

from .models import BUCKETS, DURATION_EDGES, SlaOutcome, TicketFact


def duration_bucket(seconds: int) -> int:
    """The histogram bucket of a duration (see ``models.DURATION_EDGES``)."""
    minutes = seconds / 60
    for index in range(BUCKETS - 1, -1, -1):
        if minutes >= DURATION_EDGES[index]:
            return index
    return 0


@dataclass
class Fact:
    """The computed facts of one ticket (the columns of ``TicketFact`` that figures read)."""

    version: int
    customer_id: int
    team_id: int
    category_id: int
    channel: str
    created_at: datetime
    created_day: date
    is_open: bool
    resolved_day: date | None
    first_response_seconds: int | None
    resolution_seconds: int | None
    escalated: bool
    reopened: int
    first_response_sla: int
    resolution_sla: int
    complaint: bool
    unhappy: bool
    effort: int | None
    high_effort: bool
    csat: int | None
    ces: int | None
    messages_scored: int
    messages_negative: int
    counted: bool = True

    def cells(self) -> dict[tuple[date, int, int, str], Counter]:
        """What this ticket adds to each day's cell."""
        out: dict[tuple[date, int, int, str], Counter] = {}
        if not self.counted:
            return out
        created = Counter(
            # Open now, kept on the day it was created: the backlog by age adds these up.
            open_now=int(self.is_open),
            created=1, complaints=int(self.complaint), unhappy=int(self.unhappy),
            messages_scored=self.messages_scored, messages_negative=self.messages_negative,
        )  # fmt: skip
        if self.first_response_seconds is not None:
            created["first_responses"] += 1
            created[f"fr_b{duration_bucket(self.first_response_seconds)}"] += 1
        if self.first_response_sla != SlaOutcome.NONE:
            created["first_response_sla_due"] += 1
            created["first_response_sla_met"] += int(self.first_response_sla == SlaOutcome.MET)
        key = (self.created_day, self.team_id, self.category_id, self.channel)
        out[key] = created
        if self.resolved_day is not None and self.resolution_seconds is not None:
            resolved = Counter(
                resolved=1, resolved_level1=int(not self.escalated), escalated=int(self.escalated),
                reopened=self.reopened, high_effort=int(self.high_effort),
            )  # fmt: skip
            resolved[f"res_b{duration_bucket(self.resolution_seconds)}"] += 1
            if self.resolution_sla != SlaOutcome.NONE:
                resolved["resolution_sla_due"] += 1
                resolved["resolution_sla_met"] += int(self.resolution_sla == SlaOutcome.MET)
            for name, value in (("csat", self.csat), ("ces", self.ces), ("effort", self.effort)):
                if value is not None:
                    resolved[f"{name}_sum"] += value
                    resolved[f"{name}_count"] += 1
            key = (self.resolved_day, self.team_id, self.category_id, self.channel)
            out.setdefault(key, Counter()).update(resolved)
        return out


FACT_FIELDS = [f.name for f in fields(Fact)]


def fact_of(row: TicketFact) -> Fact:
    """The facts last applied for a ticket, as stored."""
    return Fact(**{name: getattr(row, name) for name in FACT_FIELDS})
