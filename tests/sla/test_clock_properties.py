"""Properties of the business clock over random start instants and targets (THREATS.md case 39).

Openness is checked against the wall clock independently of the clock's own interval walk.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.sla.clock import (
    add_business_minutes,
    business_minutes_between,
    business_time_between,
    due_times,
)

from .calendars import (
    ALWAYS,
    FRANCE,
    OFFICE,
    ONTARIO,
    PARIS_24_7,
    PARIS_OFFICE,
    QUEBEC,
    TORONTO_24_7,
    public_holidays,
)

CALENDARS = {
    "quebec": (QUEBEC, OFFICE, "CA", "QC"),
    "ontario": (ONTARIO, OFFICE, "CA", "ON"),
    "france": (FRANCE, PARIS_OFFICE, "FR", None),
    "paris-24/7": (PARIS_24_7, ALWAYS, None, None),
    "toronto-24/7": (TORONTO_24_7, ALWAYS, None, None),
}
PROFILE = settings(max_examples=200, deadline=None, database=None)

calendars = st.sampled_from(sorted(CALENDARS))
# 2025-2028 covers eight DST changes in each zone and every holiday kind, to the second.
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
targets = st.integers(min_value=0, max_value=12 * 540)


def open_by_wall_clock(name: str, instant: datetime) -> bool:
    spec, hours, country, subdiv = CALENDARS[name]
    wall = instant.astimezone(ZoneInfo(spec.time_zone))
    if country and wall.date() in public_holidays(country, subdiv, wall.year):
        return False
    clock = wall.time()
    return any(
        start <= clock and (clock < end or end.hour == end.minute == 0)
        for start, end in hours.get(wall.weekday(), [])
    )


@pytest.mark.attack("sla", "39")
@PROFILE
@given(name=calendars, start=instants, minutes=targets)
def test_adding_then_measuring_gives_the_target_back(name, start, minutes):
    spec = CALENDARS[name][0]
    due = add_business_minutes(start, minutes, spec)
    assert due >= start
    assert due.utcoffset() == timedelta(0)
    assert business_minutes_between(start, due, spec) == minutes
    if minutes:
        # Never inside closed time: the last second before the due instant is business time, and
        # no earlier instant would do.
        assert open_by_wall_clock(name, due - timedelta(seconds=1))
        assert business_time_between(start, due - timedelta(seconds=1), spec) < timedelta(minutes=minutes)


@pytest.mark.attack("sla", "39")
@PROFILE
@given(name=calendars, start=instants, minutes=st.integers(min_value=1, max_value=12 * 540))
def test_warning_fires_once_before_the_due_time(name, start, minutes):
    spec = CALENDARS[name][0]
    warning_at, due_at = due_times(start, minutes, 75, [], spec)
    assert start <= warning_at < due_at
    assert business_time_between(start, warning_at, spec) == timedelta(seconds=minutes * 45)
    assert open_by_wall_clock(name, warning_at - timedelta(seconds=1)) or warning_at == start


@PROFILE
@given(
    name=calendars,
    start=instants,
    minutes=st.integers(min_value=1, max_value=5 * 540),
    pause_offset=st.integers(min_value=-3 * 24 * 60, max_value=14 * 24 * 60),
    pause_length=st.integers(min_value=0, max_value=7 * 24 * 60),
)
def test_paused_business_time_extends_the_due_time(name, start, minutes, pause_offset, pause_length):
    spec = CALENDARS[name][0]
    paused_at = start + timedelta(minutes=pause_offset)
    resumed_at = paused_at + timedelta(minutes=pause_length)
    _, plain = due_times(start, minutes, 75, [], spec)
    _, due_at = due_times(start, minutes, 75, [(paused_at, resumed_at)], spec)
    assert due_at >= plain
    if due_at <= paused_at:
        assert due_at == plain
    else:
        assert due_at >= resumed_at
        lost = (
            business_time_between(max(paused_at, start), resumed_at, spec)
            if resumed_at > start
            else timedelta(0)
        )
        assert business_time_between(start, due_at, spec) - lost == timedelta(minutes=minutes)
