"""Calendar specs for the pure clock tests, built without the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from comptoir.sla.clock import CalendarSpec, weekly_intervals

TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@cache
def public_holidays(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


def make_spec(
    zone: str,
    hours: dict[int, list[tuple[time, time]]],
    *,
    country: str | None = None,
    subdiv: str | None = None,
    extra: frozenset[date] = frozenset(),
) -> CalendarSpec:
    def closed(year: int) -> frozenset[date]:
        public = public_holidays(country, subdiv, year) if country else frozenset()
        return public | extra

    return CalendarSpec(time_zone=zone, weekly=weekly_intervals(hours), closed_dates=closed)


OFFICE = {d: [(time(8), time(17))] for d in range(5)}  # Mon-Fri 08:00-17:00
PARIS_OFFICE = {d: [(time(9), time(12)), (time(14), time(18))] for d in range(5)}  # 7 h a day
ALWAYS = {d: [(time(0), time(0))] for d in range(7)}  # 24/7

QUEBEC = make_spec("America/Toronto", OFFICE, country="CA", subdiv="QC")
ONTARIO = make_spec("America/Toronto", OFFICE, country="CA", subdiv="ON")
FRANCE = make_spec("Europe/Paris", PARIS_OFFICE, country="FR")
PARIS_24_7 = make_spec("Europe/Paris", ALWAYS)
TORONTO_24_7 = make_spec("America/Toronto", ALWAYS)
