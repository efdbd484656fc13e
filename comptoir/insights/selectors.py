"""Reading the figures: the dashboard, ``GET /api/v1/metrics``, thresholds and key accounts.

A period is a range of days (both ends included, in the site's time zone). Each figure says
which tickets it counts, so that every number opens the list of its tickets (``figure_tickets``):

- counted on the day a ticket was created: ``tickets_created``, ``complaints``, ``unhappy``,
  first-response time and SLA (tickets answered, or whose target was missed), ``negative_share``
  (negative customer messages / messages scored);
- counted on the day it was (last) resolved: ``tickets_resolved``, the level-1 / escalated split,
  resolution time and SLA, reopenings, satisfaction (CSAT, 1-5), survey effort (CES, 1-7) and the
  computed effort score;
- ``backlog_by_age``: the open tickets now, by age (the period does not apply).

Times are wall-clock minutes from the ticket's creation; the SLA figures follow the business
calendar and pauses (a target is missed when its breach was recorded). Medians and 90th
percentiles are exact when the period counts at most ``EXACT_LIMIT`` tickets, else interpolated in
the histogram's bucket (``percentiles`` says which).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from comptoir.common.paging import Page, cursor_datetime, cursor_int, keyset_page

from .facts import fact_of
from .models import (
    BUCKETS,
    COUNTERS,
    DURATION_EDGES,
    FIRST_RESPONSE_BUCKETS,
    RESOLUTION_BUCKETS,
    SWEPT,
    DailyFigures,
    SlaOutcome,
    SweepCursor,
    TicketFact,
)

EXACT_LIMIT = 20_000

# Backlog age bands: (key, lower bound in days, upper bound in days or None).
BACKLOG_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_1_day", 0, 1),
    ("1_to_3_days", 1, 3),
    ("3_to_7_days", 3, 7),
    ("7_to_30_days", 7, 30),
    ("over_30_days", 30, None),
)

# The figures a threshold can watch, and the API's field names, in the dashboard's order.
FIGURES: tuple[str, ...] = (
    "tickets_created", "tickets_resolved", "level1_resolution_share", "escalated_share", "complaints",
    "first_response_sla_met_share", "resolution_sla_met_share", "first_response_minutes_median",
    "first_response_minutes_p90", "resolution_minutes_median", "resolution_minutes_p90",
    "reopened", "unhappy", "csat_average", "ces_average", "effort_average", "high_effort",
    "negative_share", "backlog",
)  # fmt: skip


@dataclass(frozen=True)
class Filters:
    """What a dashboard, an API call or a threshold looks at (None: all)."""

    start: date
    end: date
    team_id: int | None = None
    category_id: int | None = None
    channel: str | None = None
    customer_id: int | None = None

    def cells(self) -> QuerySet[DailyFigures]:
        rows = DailyFigures.objects.filter(day__gte=self.start, day__lte=self.end)
        if self.team_id is not None:
            rows = rows.filter(team_id=self.team_id)
        if self.category_id is not None:
            rows = rows.filter(category_id=self.category_id)
        if self.channel:
            rows = rows.filter(channel=self.channel)
        return rows

    def facts(self) -> QuerySet[TicketFact]:
        rows = TicketFact.objects.filter(counted=True)
        if self.team_id is not None:
            rows = rows.filter(team_id=self.team_id)
        if self.category_id is not None:
            rows = rows.filter(category_id=self.category_id)
        if self.channel:
            rows = rows.filter(channel=self.channel)
        if self.customer_id is not None:
            rows = rows.filter(customer_id=self.customer_id)
        return rows

    def created(self) -> QuerySet[TicketFact]:
        return self.facts().filter(created_day__gte=self.start, created_day__lte=self.end)

    def resolved(self) -> QuerySet[TicketFact]:
        return self.facts().filter(resolved_day__gte=self.start, resolved_day__lte=self.end)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), on sorted ``values``."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def histogram_percentile(counts: list[int], fraction: float) -> float | None:
    """The value at ``fraction`` of a histogram over ``DURATION_EDGES``, interpolated linearly in
    its bucket (the last, open bucket answers its lower edge)."""
    total = sum(counts)
    if not total:
        return None
    rank = fraction * total
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= rank:
            low = DURATION_EDGES[index]
            if index == BUCKETS - 1:
                return float(low)
            high = DURATION_EDGES[index + 1]
            return low + (high - low) * max(0.0, rank - seen) / count
        seen += count
    return float(DURATION_EDGES[-1])


def _minutes(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _figures(sums: dict, durations: dict[str, tuple[list[float] | None, list[int]]]) -> dict:
    """The figures of one period (or month) from its summed counters."""

    def spread(name: str) -> dict:
        exact, histogram = durations[name]
        if exact is not None:
            return {"median": _minutes(percentile(exact, 0.5)), "p90": _minutes(percentile(exact, 0.9))}
        return {
            "median": _minutes(histogram_percentile(histogram, 0.5)),
            "p90": _minutes(histogram_percentile(histogram, 0.9)),
        }

    resolved = sums["resolved"]
    return {
        "tickets_created": sums["created"],
        "tickets_resolved": resolved,
        "level1_resolution_share": _share(sums["resolved_level1"], resolved),
        "escalated_share": _share(sums["escalated"], resolved),
        "complaints": sums["complaints"],
        "unhappy": sums["unhappy"],
        "reopened": sums["reopened"],
        "first_response_sla_met_share": _share(
            sums["first_response_sla_met"], sums["first_response_sla_due"]
        ),
        "first_response_sla_counted": sums["first_response_sla_due"],
        "resolution_sla_met_share": _share(sums["resolution_sla_met"], sums["resolution_sla_due"]),
        "resolution_sla_counted": sums["resolution_sla_due"],
        "first_response_minutes": spread("first_response"),
        "resolution_minutes": spread("resolution"),
        "csat_average": _average(sums["csat_sum"], sums["csat_count"]),
        "csat_answers": sums["csat_count"],
        "ces_average": _average(sums["ces_sum"], sums["ces_count"]),
        "ces_answers": sums["ces_count"],
        "effort_average": _average(sums["effort_sum"], sums["effort_count"]),
        "high_effort": sums["high_effort"],
        "negative_share": _share(sums["messages_negative"], sums["messages_scored"]),
        "messages_scored": sums["messages_scored"],
    }


def _sums_from_facts(facts: Iterable[TicketFact], filters: Filters) -> dict[date | None, Counter]:
    """Counters by month (None: the whole period) from the facts of a small set of tickets: the
    path of a customer's own figures, which the daily cells do not hold."""
    out: dict[date | None, Counter] = {None: Counter()}
    for row in facts:
        for (day, *_rest), counts in fact_of(row).cells().items():
            if filters.start <= day <= filters.end:
                out[None].update(counts)
                out.setdefault(day.replace(day=1), Counter()).update(counts)
    return out


def _durations(
    filters: Filters, sums: dict[date | None, Counter], *, exact: bool
) -> dict[date | None, dict[str, tuple[list[float] | None, list[int]]]]:
    """Per month (and None for the period): the sorted minutes when exact, and the histogram."""
    out: dict[date | None, dict[str, tuple[list[float] | None, list[int]]]] = {}
    values: dict[tuple[date | None, str], list[float]] = {}
    if exact:
        rows = filters.created().filter(first_response_seconds__isnull=False)
        for day, seconds in rows.values_list("created_day", "first_response_seconds"):
            if seconds is None:
                continue
            for key in (None, day.replace(day=1)):
                values.setdefault((key, "first_response"), []).append(seconds / 60)
        rows = filters.resolved().filter(resolution_seconds__isnull=False)
        for resolved_day, seconds in rows.values_list("resolved_day", "resolution_seconds"):
            if resolved_day is None or seconds is None:
                continue
            for key in (None, resolved_day.replace(day=1)):
                values.setdefault((key, "resolution"), []).append(seconds / 60)
    for key, counts in sums.items():
        out[key] = {}
        for name, columns in (("first_response", FIRST_RESPONSE_BUCKETS), ("resolution", RESOLUTION_BUCKETS)):
            found = sorted(values.get((key, name), [])) if exact else None
            out[key][name] = (found, [counts[column] for column in columns])
    return out


def _band(age: int) -> str:
    for key, low, high in BACKLOG_BANDS:
        if age >= low and (high is None or age < high):
            return key
    return BACKLOG_BANDS[-1][0]


def backlog_by_age(filters: Filters, *, now: datetime | None = None) -> dict[str, int]:
    """Open tickets now by age in days (today's are under a day old; team, category, channel and
    customer filters apply): from the cells' ``open_now``, kept on the day each ticket was created."""
    today = timezone.localdate(now or timezone.now())
    bands = dict.fromkeys((key for key, _low, _high in BACKLOG_BANDS), 0)
    if filters.customer_id is not None:
        days = filters.facts().filter(is_open=True).values_list("created_day", flat=True)
        for day in days:
            bands[_band((today - day).days)] += 1
        return bands
    cells = Filters(start=date.min, end=today, team_id=filters.team_id, category_id=filters.category_id,
                    channel=filters.channel).cells()  # fmt: skip
    sums = {}
    for key, low, high in BACKLOG_BANDS:
        condition = Q(day__lte=today - timedelta(days=low))
        if high is not None:
            condition &= Q(day__gt=today - timedelta(days=high))
        sums[key] = Sum("open_now", filter=condition)
    for key, value in cells.aggregate(**sums).items():
        bands[key] = value or 0
    return bands


def _sums(filters: Filters) -> dict[date | None, Counter]:
    """The summed counters of the period (None) and of each month: from the daily cells, or from
    the facts of one customer's tickets."""
    if filters.customer_id is not None:
        return _sums_from_facts(filters.facts().filter(
            Q(created_day__gte=filters.start, created_day__lte=filters.end)
            | Q(resolved_day__gte=filters.start, resolved_day__lte=filters.end)
        ), filters)  # fmt: skip
    # One read of the cells, grouped by their month column (no date function per row); the
    # period is the sum of its months.
    monthly = filters.cells().values("month").annotate(**{f"s_{name}": Sum(name) for name in COUNTERS})
    sums: dict[date | None, Counter] = {None: Counter()}
    for row in monthly.order_by("month"):
        counts = Counter({name: row[f"s_{name}"] or 0 for name in COUNTERS})
        sums[row["month"]] = counts
        sums[None].update(counts)
    for name in COUNTERS:  # every counter present, zero included
        sums[None][name] += 0
    return sums


def metrics(filters: Filters, *, now: datetime | None = None, with_counts: bool = False) -> dict:
    """Every figure of the period, and the same per month (``months``, oldest first); with
    ``with_counts``, also ``counts`` (see ``figure_counts``) from the same read of the cells."""
    sums = _sums(filters)
    whole = sums[None]
    exact = whole["first_responses"] + whole["resolved"] <= EXACT_LIMIT
    durations = _durations(filters, sums, exact=exact)
    result = _figures(whole, durations[None])
    result["period"] = {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    result["percentiles"] = "exact" if exact else "estimated"
    result["backlog_by_age"] = backlog_by_age(filters, now=now)
    result["backlog"] = sum(result["backlog_by_age"].values())
    result["months"] = [
        {"month": month.strftime("%Y-%m"), **_figures(counts, durations[month])}
        for month, counts in sorted((m, c) for m, c in sums.items() if m is not None)
    ]
    if with_counts:
        result["counts"] = _counts(sums)
    return result


def figure_value(result: dict, figure: str) -> float | None:
    """One figure by its threshold name (``first_response_minutes_median`` etc.)."""
    for prefix in ("first_response_minutes", "resolution_minutes"):
        if figure.startswith(prefix + "_"):
            return result[prefix][figure.removeprefix(prefix + "_")]
    value = result.get(figure)
    return value if isinstance(value, int | float) else None


def figure_counts(filters: Filters) -> dict[str | None, dict[str, int]]:
    """The counters behind ``metrics``' shares and averages (tickets and messages counted, no
    histogram), for the period (None) and each month ("YYYY-MM"): the dashboard's counting cells.
    A month without any ticket is absent, as in ``metrics``."""
    return _counts(_sums(filters))


def _counts(sums: dict[date | None, Counter]) -> dict[str | None, dict[str, int]]:
    names = [name for name in COUNTERS if name not in FIRST_RESPONSE_BUCKETS + RESOLUTION_BUCKETS]
    return {
        (month.strftime("%Y-%m") if month is not None else None): {name: counts[name] for name in names}
        for month, counts in sums.items()
    }


def figures_updated_at() -> datetime | None:
    """When the figures last changed: the newest ticket facts written by the sweep."""
    return SweepCursor.objects.filter(source=SWEPT).values_list("position", flat=True).first()


# What each drill-down shows: the figure's tickets, from the facts.
DRILLS: dict[str, str] = {
    "created": "created",
    "complaints": "created",
    "unhappy": "created",
    "negative": "created",
    "first_response": "created",
    "first_response_sla_missed": "created",
    "first_response_sla_met": "created",
    "first_response_sla_due": "created",
    "resolved": "resolved",
    "resolved_level1": "resolved",
    "escalated": "resolved",
    "reopened": "resolved",
    "resolution_sla_missed": "resolved",
    "resolution_sla_met": "resolved",
    "resolution_sla_due": "resolved",
    "csat": "resolved",
    "ces": "resolved",
    "high_effort": "resolved",
    "backlog": "backlog",
}


def figure_tickets(filters: Filters, drill: str, *, band: str | None = None, now: datetime | None = None
                   ) -> QuerySet[TicketFact]:  # fmt: skip
    """The tickets behind one figure (see ``DRILLS``), newest first."""
    kind = DRILLS.get(drill)
    if kind is None:
        raise KeyError(drill)
    if kind == "backlog":
        rows = filters.facts().filter(is_open=True)
        today = timezone.localdate(now or timezone.now())
        for key, low, high in BACKLOG_BANDS:
            if key == band:
                rows = rows.filter(created_day__lte=today - timedelta(days=low))
                if high is not None:
                    rows = rows.filter(created_day__gt=today - timedelta(days=high))
        return rows.order_by("created_at", "ticket_id")
    rows = filters.created() if kind == "created" else filters.resolved()
    rows = rows.filter(
        {
            "created": Q(),
            "complaints": Q(complaint=True),
            "unhappy": Q(unhappy=True),
            "negative": Q(messages_negative__gt=0),
            "first_response": Q(first_response_seconds__isnull=False),
            "first_response_sla_missed": Q(first_response_sla=SlaOutcome.MISSED),
            "first_response_sla_met": Q(first_response_sla=SlaOutcome.MET),
            "first_response_sla_due": ~Q(first_response_sla=SlaOutcome.NONE),
            "resolved": Q(resolution_seconds__isnull=False),
            "resolved_level1": Q(escalated=False, resolution_seconds__isnull=False),
            "escalated": Q(escalated=True, resolution_seconds__isnull=False),
            "reopened": Q(reopened__gt=0),
            "resolution_sla_missed": Q(resolution_sla=SlaOutcome.MISSED),
            "resolution_sla_met": Q(resolution_sla=SlaOutcome.MET, resolution_seconds__isnull=False),
            "resolution_sla_due": ~Q(resolution_sla=SlaOutcome.NONE) & Q(resolution_seconds__isnull=False),
            "csat": Q(csat__isnull=False),
            "ces": Q(ces__isnull=False),
            "high_effort": Q(high_effort=True),
        }[drill]
    )
    return rows.order_by("-ticket_id")


# Drills whose ticket count is a counter of the cells (the difference of two for "missed").
DRILL_COUNTERS: dict[str, tuple[str, str | None]] = {
    "created": ("created", None), "complaints": ("complaints", None), "unhappy": ("unhappy", None),
    "first_response": ("first_responses", None),
    "first_response_sla_met": ("first_response_sla_met", None),
    "first_response_sla_due": ("first_response_sla_due", None),
    "first_response_sla_missed": ("first_response_sla_due", "first_response_sla_met"),
    "resolved": ("resolved", None), "resolved_level1": ("resolved_level1", None),
    "escalated": ("escalated", None), "resolution_sla_met": ("resolution_sla_met", None),
    "resolution_sla_due": ("resolution_sla_due", None),
    "resolution_sla_missed": ("resolution_sla_due", "resolution_sla_met"),
    "csat": ("csat_count", None), "ces": ("ces_count", None), "high_effort": ("high_effort", None),
}  # fmt: skip


def figure_ticket_count(filters: Filters, drill: str, *, band: str | None = None, now: datetime | None = None
                        ) -> int:  # fmt: skip
    """How many tickets ``figure_tickets`` lists, from the daily cells where a counter holds it
    (counting two years of facts took a second at 1M tickets), else by counting them."""
    if filters.customer_id is None:
        if DRILLS.get(drill) == "backlog":
            bands = backlog_by_age(filters, now=now)
            return bands[band] if band in bands else sum(bands.values())
        if drill in DRILL_COUNTERS:
            plus, minus = DRILL_COUNTERS[drill]
            names = {"plus": Sum(plus), **({"minus": Sum(minus)} if minus else {})}
            found = filters.cells().aggregate(**names)
            return (found["plus"] or 0) - (found.get("minus") or 0)
    return figure_tickets(filters, drill, band=band, now=now).count()


def figure_tickets_page(
    filters: Filters,
    drill: str,
    *,
    band: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> Page:
    """One keyset page of ``figure_tickets``, in its order (the backlog oldest first, the others
    newest first); a forged cursor raises ``InvalidInput``."""
    rows = figure_tickets(filters, drill, band=band, now=now)
    if DRILLS[drill] == "backlog":
        return keyset_page(
            rows, ordering=["created_at", "ticket_id"], cursor=cursor, limit=limit,
            key=lambda fact: [fact.created_at.isoformat(), fact.ticket_id],
            types=[cursor_datetime, cursor_int],
        )  # fmt: skip
    return keyset_page(
        rows, ordering=["-ticket_id"], cursor=cursor, limit=limit,
        key=lambda fact: [fact.ticket_id], types=[cursor_int],
    )  # fmt: skip


@dataclass(frozen=True)
class FigureTicket:
    """A ticket behind a figure: its facts, and what a person reads to recognise it."""

    fact: TicketFact
    reference: str
    subject: str
    customer: str
    team: str
    category: str


def figure_ticket_rows(facts: Sequence[TicketFact]) -> list[FigureTicket]:
    """The facts of a page (or a batch of an export) with each ticket's reference, subject and
    customer, and the names of the team and category it is counted under: three queries."""
    from comptoir.routing.models import Team
    from comptoir.tickets.models import Category, Ticket

    rows = Ticket.objects.filter(pk__in=[fact.ticket_id for fact in facts])
    tickets = {pk: rest for pk, *rest in rows.values_list("pk", "reference", "subject", "customer__name")}
    teams = dict(Team.objects.filter(pk__in={fact.team_id for fact in facts}).values_list("pk", "name"))
    named = Category.objects.filter(pk__in={fact.category_id for fact in facts})
    categories = {category.pk: str(category) for category in named}
    out = []
    for fact in facts:
        reference, subject, customer = tickets.get(fact.ticket_id) or ("", "", "")
        out.append(
            FigureTicket(
                fact=fact,
                reference=reference or "",
                subject=subject or "",
                customer=customer or "",
                team=teams.get(fact.team_id, ""),
                category=categories.get(fact.category_id, ""),
            )
        )
    return out


def metrics_may_read(*, actor: object) -> bool:
    """Managers read the figures: supervisors and administrators (``User.supervises``)."""
    return bool(getattr(actor, "supervises", False))


def filters_resolve(
    *,
    start: date,
    end: date,
    team: int | None = None,
    category: str | int | None = None,
    channel: str | None = None,
    customer: int | None = None,
) -> Filters:
    """Filters from what a person typed: a team id, a category's slug or id, a channel name."""
    from django.utils.translation import gettext as _

    from comptoir.common.exceptions import InvalidInput
    from comptoir.routing.models import Team
    from comptoir.tickets.models import Category, Channel

    if team is not None and not Team.objects.filter(pk=team).exists():
        raise InvalidInput(_("No such team."), field="team")
    category_id = None
    if category not in (None, ""):
        text = str(category)
        found = (
            Category.objects.filter(pk=int(text)) if text.isdigit() else Category.objects.filter(slug=text)
        )
        category_id = found.values_list("pk", flat=True).first()
        if category_id is None:
            raise InvalidInput(_("No such category."), field="category")
    if channel and channel not in Channel.values:
        raise InvalidInput(_("No such channel."), field="channel")
    return Filters(
        start=start,
        end=end,
        team_id=team,
        category_id=category_id,
        channel=channel or None,
        customer_id=customer,
    )
