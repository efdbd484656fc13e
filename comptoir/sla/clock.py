"""Business time on the instant timeline: pure functions, no ORM.

A calendar's opening hours are wall-clock intervals in its time zone (Mon-Fri 08:00-17:00 in
America/Toronto). Each day's intervals are turned into UTC instants with ``zoneinfo`` before any
arithmetic, so durations are real elapsed time: a day that loses an hour to DST has one hour less of
business time if it was open across the change, and a due time never uses "today's offset" for
another day (fivetran/dbt_zendesk#25, OTRS/otrs#787).

Wall times that a DST change makes ambiguous or impossible are resolved so that intervals cover as
much real time as the wall clock shows open:

- repeated wall time (autumn): an interval starts at the earlier instant, ends at the later one;
- skipped wall time (spring): both ends map to the instant of the change itself.

The walk goes interval by interval and day by day (never minute by minute); every instant returned
is an aware datetime in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .exceptions import CalendarNeverOpen

MINUTES_PER_DAY = 24 * 60
# Consecutive days without any opening before a calendar is declared never open again.
MAX_CLOSED_DAYS = 2 * 366
ZERO = timedelta(0)

Interval = tuple[int, int]  # minutes from local midnight, 0 <= start < end <= 1440
Span = tuple[datetime, datetime]  # UTC instants, start < end
Pause = tuple[datetime, datetime | None]  # end None: still paused


def _no_closed_dates(year: int) -> frozenset[date]:
    return frozenset()


@dataclass(frozen=True)
class CalendarSpec:
    """What the clock needs to know about a business calendar.

    ``weekly`` has seven entries, Monday first; each is a sorted tuple of non-overlapping
    ``(start_minute, end_minute)`` wall-clock intervals (end 1440 is midnight at the end of the
    day). ``closed_dates(year)`` gives the local dates of that year on which it does not open
    (public holidays, extra closures); it is called at most once per year per computation, so the
    caller decides how to cache it.
    """

    time_zone: str
    weekly: tuple[tuple[Interval, ...], ...]
    closed_dates: Callable[[int], frozenset[date]] = field(default=_no_closed_dates, compare=False)

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # raises ZoneInfoNotFoundError (a KeyError) if unknown
        if len(self.weekly) != 7:
            raise ValueError("weekly needs seven entries, Monday first")
        for day in self.weekly:
            previous_end = -1
            for start, end in day:
                if not 0 <= start < end <= MINUTES_PER_DAY or start < previous_end:
                    raise ValueError("opening intervals must be sorted, disjoint, within one day")
                previous_end = end

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)  # ZoneInfo caches instances per key


def weekly_intervals(hours: Mapping[int, Iterable[tuple[time, time]]]) -> tuple[tuple[Interval, ...], ...]:
    """Normalise ``{weekday: [(start, end), ...]}`` into ``CalendarSpec.weekly``.

    An end of ``time(0)`` means midnight at the end of the day; overlapping or touching intervals
    are merged.
    """
    week: list[tuple[Interval, ...]] = []
    for weekday in range(7):
        raw = []
        for start, end in hours.get(weekday, ()):
            s = start.hour * 60 + start.minute
            e = MINUTES_PER_DAY if end == time(0) else end.hour * 60 + end.minute
            if e <= s:
                raise ValueError("an opening interval must end after it starts")
            raw.append((s, e))
        merged: list[Interval] = []
        for s, e in sorted(raw):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        week.append(tuple(merged))
    return tuple(week)


class Deadline(NamedTuple):
    """When a target's warning fires and when the target is due; None while the clock is paused."""

    warning_at: datetime | None
    due_at: datetime | None


# --- wall clock to instants ------------------------------------------------------------------


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(UTC)


def _change_instant(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (before, after] whose UTC offset is that of ``after`` (to the second)."""
    target = after.astimezone(zone).utcoffset()
    lo, hi = 0, int((after - before).total_seconds())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (before + timedelta(seconds=mid)).astimezone(zone).utcoffset() == target:
            hi = mid
        else:
            lo = mid
    return before + timedelta(seconds=hi)


def _wall_to_utc(day: date, minute: int, zone: ZoneInfo, *, latest: bool) -> datetime:
    naive = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    a, b = first.astimezone(UTC), second.astimezone(UTC)
    if a.astimezone(zone).replace(tzinfo=None) == naive:  # shown twice (autumn): fold 0 is earlier
        return b if latest else a
    return _change_instant(min(a, b), max(a, b), zone)  # never shown (spring): the jump itself


class _Walker:
    """Open spans of one calendar, in order, from a given instant; closed dates read once a year."""

    def __init__(self, spec: CalendarSpec) -> None:
        if not any(spec.weekly):
            raise CalendarNeverOpen(_never_open_message())
        self.spec = spec
        self.zone = spec.zone
        self._closed: dict[int, frozenset[date]] = {}

    def _is_closed(self, day: date) -> bool:
        if day.year not in self._closed:
            self._closed[day.year] = frozenset(self.spec.closed_dates(day.year))
        return day in self._closed[day.year]

    def day_spans(self, day: date) -> list[Span]:
        if self._is_closed(day):
            return []
        spans = []
        for start, end in self.spec.weekly[day.weekday()]:
            s = _wall_to_utc(day, start, self.zone, latest=False)
            e = _wall_to_utc(day, end, self.zone, latest=True)
            if e > s:
                spans.append((s, e))
        return spans

    def spans_from(self, instant: datetime) -> Iterator[Span]:
        # Start a day early: yesterday's last interval may end after midnight on the instant line
        # when midnight itself is repeated.
        day = instant.astimezone(self.zone).date() - timedelta(days=1)
        cursor = instant
        closed_run = 0
        while True:
            spans = self.day_spans(day)
            closed_run = 0 if spans else closed_run + 1
            if closed_run > MAX_CLOSED_DAYS:
                raise CalendarNeverOpen(_never_open_message())
            for s, e in spans:
                s = max(s, cursor)
                if e > s:
                    yield s, e
                    cursor = e
            day += timedelta(days=1)


def _never_open_message() -> str:
    from django.utils.translation import gettext

    return gettext("This business calendar never opens, so no due time can be computed.")


# --- public API ------------------------------------------------------------------------------


def is_open_at(instant: datetime, calendar: CalendarSpec) -> bool:
    """Whether business time runs at ``instant`` (interval starts included, ends excluded)."""
    instant = _require_aware(instant, "instant")
    walker = _Walker(calendar)
    day = instant.astimezone(walker.zone).date()
    return any(
        s <= instant < e
        for d in (day - timedelta(days=1), day, day + timedelta(days=1))
        for s, e in walker.day_spans(d)
    )


def _advance(spans: Iterable[Span], start: datetime, amount: timedelta) -> datetime | None:
    if amount <= ZERO:
        return start
    for s, e in spans:
        length = e - s
        if amount <= length:
            return s + amount
        amount -= length
    return None


def add_business_minutes(start: datetime, minutes: int, calendar: CalendarSpec) -> datetime:
    """The UTC instant at which ``minutes`` of business time have run from ``start``.

    The result lies inside an opening (its end included: a target met at closing time is due at
    closing time, not at the next opening). Zero minutes gives ``start`` itself.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    start = _require_aware(start, "start")
    result = _advance(_Walker(calendar).spans_from(start), start, timedelta(minutes=minutes))
    assert result is not None  # the walk is endless unless the calendar never opens (raised)
    return result


def business_time_between(a: datetime, b: datetime, calendar: CalendarSpec) -> timedelta:
    """Business time from ``a`` to ``b``, exact; negative when ``b`` is before ``a``."""
    a, b = _require_aware(a, "a"), _require_aware(b, "b")
    if b < a:
        return -business_time_between(b, a, calendar)
    total = ZERO
    if a == b:
        return total
    for s, e in _Walker(calendar).spans_from(a):
        if s >= b:
            break
        total += min(e, b) - s
    return total


def business_minutes_between(a: datetime, b: datetime, calendar: CalendarSpec) -> int:
    """Whole business minutes from ``a`` to ``b`` (truncated toward zero; negative if b < a)."""
    elapsed = business_time_between(a, b, calendar)
    minutes = abs(elapsed) // timedelta(minutes=1)
    return minutes if elapsed >= ZERO else -minutes


def _merge_pauses(start: datetime, pauses: Sequence[Pause]) -> list[Pause]:
    """Pauses clipped to after ``start``, sorted and merged; an open pause swallows what follows."""
    cleaned: list[Pause] = []
    for raw_start, raw_end in pauses:
        s = _require_aware(raw_start, "pause start")
        e = None if raw_end is None else _require_aware(raw_end, "pause end")
        if e is not None and e < s:
            raise ValueError("a pause must not end before it starts")
        if e is not None and e <= start:
            continue
        cleaned.append((max(s, start), e))
    cleaned.sort(key=lambda p: p[0])
    merged: list[Pause] = []
    for s, e in cleaned:
        if merged:
            last_s, last_e = merged[-1]
            if last_e is None:
                break
            if s <= last_e:
                merged[-1] = (last_s, None if e is None else max(last_e, e))
                continue
        merged.append((s, e))
    return merged


def _running_spans(spans: Iterable[Span], pauses: list[Pause]) -> Iterator[Span]:
    """Open spans minus pauses; stops for good at a pause that has not ended."""
    i = 0
    for s, e in spans:
        cursor = s
        while cursor < e:
            while i < len(pauses) and (end := pauses[i][1]) is not None and end <= cursor:
                i += 1
            if i == len(pauses) or pauses[i][0] >= e:
                yield cursor, e
                break
            pause_start, pause_end = pauses[i]
            if pause_start > cursor:
                yield cursor, pause_start
            if pause_end is None:
                return
            cursor = max(cursor, pause_end)


def due_times(
    start: datetime,
    policy_minutes: int,
    warning_percent: int,
    pauses: Sequence[Pause],
    calendar: CalendarSpec,
) -> Deadline:
    """Warning and due instants of one target started at ``start``.

    ``pauses`` are (paused_at, resumed_at) pairs, e.g. while the ticket waits on the customer;
    business time inside them does not count, so they push both instants later. A pause not yet
    resumed (``None`` end) stops the clock: an instant it has not reached before the pause is None.
    The warning comes at ``warning_percent`` of the target (rounded down to the second), strictly
    before the due time for any positive target.
    """
    if policy_minutes < 0:
        raise ValueError("policy_minutes must not be negative")
    if not 0 < warning_percent < 100:
        raise ValueError("warning_percent must be between 1 and 99")
    start = _require_aware(start, "start")
    merged = _merge_pauses(start, pauses)
    walker = _Walker(calendar)
    target = timedelta(minutes=policy_minutes)
    warning = timedelta(seconds=policy_minutes * 60 * warning_percent // 100)
    warning_at = _advance(_running_spans(walker.spans_from(start), merged), start, warning)
    due_at = _advance(_running_spans(walker.spans_from(start), merged), start, target)
    return Deadline(warning_at, due_at)
