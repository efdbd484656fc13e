"""The business clock on fixed, hand-checked cases: weekends, holidays, DST, pauses."""

from __future__ import annotations

import time as stopwatch
from datetime import UTC, date, time, timedelta

import pytest

from comptoir.sla.clock import (
    CalendarSpec,
    add_business_minutes,
    business_minutes_between,
    due_times,
    is_open_at,
    weekly_intervals,
)
from comptoir.sla.exceptions import CalendarNeverOpen

from .calendars import (
    FRANCE,
    OFFICE,
    ONTARIO,
    PARIS,
    PARIS_24_7,
    QUEBEC,
    TORONTO,
    TORONTO_24_7,
    local,
    make_spec,
    public_holidays,
    utc,
)

# --- weekends and holidays -------------------------------------------------------------------


def test_inside_one_day():
    start = local(TORONTO, 2026, 1, 12, 9, 0)  # Monday
    assert add_business_minutes(start, 90, QUEBEC) == utc(2026, 1, 12, 15, 30)


def test_result_is_utc_and_aware():
    due = add_business_minutes(local(PARIS, 2026, 1, 12, 9, 0), 30, FRANCE)
    assert due.utcoffset() == timedelta(0)
    assert due == utc(2026, 1, 12, 8, 30)


def test_target_met_at_closing_time_is_due_at_closing_time():
    start = local(TORONTO, 2026, 1, 12, 16, 0)
    assert add_business_minutes(start, 60, QUEBEC) == local(TORONTO, 2026, 1, 12, 17, 0)


def test_across_a_weekend():
    start = local(TORONTO, 2026, 1, 9, 16, 0)  # Friday
    due = add_business_minutes(start, 120, QUEBEC)
    assert due == local(TORONTO, 2026, 1, 12, 9, 0) == utc(2026, 1, 12, 14, 0)
    assert business_minutes_between(start, due, QUEBEC) == 120


def test_start_in_closed_time_counts_from_the_next_opening():
    saturday_night = local(TORONTO, 2026, 1, 10, 23, 15)
    assert add_business_minutes(saturday_night, 30, QUEBEC) == local(TORONTO, 2026, 1, 12, 8, 30)
    assert add_business_minutes(saturday_night, 0, QUEBEC) == saturday_night


def test_quebec_fete_nationale_is_closed():
    assert date(2026, 6, 24) in public_holidays("CA", "QC", 2026)
    start = local(TORONTO, 2026, 6, 23, 16, 0)  # Tuesday
    due = add_business_minutes(start, 120, QUEBEC)
    assert due == local(TORONTO, 2026, 6, 25, 9, 0) == utc(2026, 6, 25, 13, 0)


def test_fete_nationale_on_a_sunday_is_observed_on_monday():
    # As the holidays package gives it: 2029-06-24 is a Sunday, Monday the 25th is off.
    assert date(2029, 6, 25) in public_holidays("CA", "QC", 2029)
    due = add_business_minutes(local(TORONTO, 2029, 6, 22, 16, 0), 120, QUEBEC)
    assert due == local(TORONTO, 2029, 6, 26, 9, 0)


def test_fete_nationale_on_a_saturday_is_not_moved():
    assert date(2034, 6, 26) not in public_holidays("CA", "QC", 2034)
    due = add_business_minutes(local(TORONTO, 2034, 6, 23, 16, 0), 120, QUEBEC)
    assert due == local(TORONTO, 2034, 6, 26, 9, 0)


def test_family_day_closes_ontario_not_quebec():
    assert date(2026, 2, 16) in public_holidays("CA", "ON", 2026)
    assert date(2026, 2, 16) not in public_holidays("CA", "QC", 2026)
    start = local(TORONTO, 2026, 2, 13, 16, 0)  # Friday before Family Day
    assert add_business_minutes(start, 120, QUEBEC) == utc(2026, 2, 16, 14, 0)
    assert add_business_minutes(start, 120, ONTARIO) == utc(2026, 2, 17, 14, 0)


def test_france_premier_mai():
    start = local(PARIS, 2026, 4, 30, 17, 0)  # Thursday; Friday 1 May is off
    due = add_business_minutes(start, 120, FRANCE)
    assert due == local(PARIS, 2026, 5, 4, 10, 0) == utc(2026, 5, 4, 8, 0)


def test_france_quatorze_juillet():
    start = local(PARIS, 2026, 7, 13, 17, 30)  # Monday; Tuesday 14 July is off
    due = add_business_minutes(start, 60, FRANCE)
    assert due == local(PARIS, 2026, 7, 15, 9, 30) == utc(2026, 7, 15, 7, 30)


def test_lunch_break_is_closed_time():
    start = local(PARIS, 2026, 7, 15, 11, 30)
    assert add_business_minutes(start, 60, FRANCE) == local(PARIS, 2026, 7, 15, 14, 30)
    assert business_minutes_between(start, local(PARIS, 2026, 7, 15, 14, 30), FRANCE) == 60


def test_extra_closed_dates():
    spec = make_spec(
        "America/Toronto", OFFICE, country="CA", subdiv="QC", extra=frozenset({date(2026, 1, 12)})
    )
    due = add_business_minutes(local(TORONTO, 2026, 1, 9, 16, 0), 120, spec)
    assert due == local(TORONTO, 2026, 1, 13, 9, 0)


def test_between_is_signed_and_truncated():
    a = local(TORONTO, 2026, 1, 12, 9, 0)
    b = local(TORONTO, 2026, 1, 12, 10, 0, 59)
    assert business_minutes_between(a, b, QUEBEC) == 60
    assert business_minutes_between(b, a, QUEBEC) == -60
    assert business_minutes_between(a, a, QUEBEC) == 0


# --- DST: due times on the instant timeline ---------------------------------------------------


@pytest.mark.parametrize(
    ("start", "spec", "expected"),
    [
        # Toronto, DST ends Sunday 2026-11-01: Monday 08:30 is EST, 13:30 UTC (not 12:30).
        (local(TORONTO, 2026, 10, 30, 16, 30), QUEBEC, utc(2026, 11, 2, 13, 30)),
        # Toronto, DST starts Sunday 2026-03-08: Monday 08:30 is EDT, 12:30 UTC.
        (local(TORONTO, 2026, 3, 6, 16, 30), QUEBEC, utc(2026, 3, 9, 12, 30)),
        # Paris, summer time ends Sunday 2026-10-25: Monday 09:30 CET is 08:30 UTC.
        (local(PARIS, 2026, 10, 23, 17, 30), FRANCE, utc(2026, 10, 26, 8, 30)),
        # Paris, summer time starts Sunday 2026-03-29: Monday 09:30 CEST is 07:30 UTC.
        (local(PARIS, 2026, 3, 27, 17, 30), FRANCE, utc(2026, 3, 30, 7, 30)),
    ],
    ids=["toronto-fall", "toronto-spring", "paris-fall", "paris-spring"],
)
@pytest.mark.attack("sla", "39")
def test_sixty_minutes_from_thirty_before_friday_close_across_dst(start, spec, expected):
    due = add_business_minutes(start, 60, spec)
    assert due == expected
    assert business_minutes_between(start, due, spec) == 60


@pytest.mark.parametrize(
    ("spec", "zone", "day", "hours"),
    [
        (TORONTO_24_7, TORONTO, date(2026, 3, 8), 23),
        (TORONTO_24_7, TORONTO, date(2026, 11, 1), 25),
        (PARIS_24_7, PARIS, date(2026, 3, 29), 23),
        (PARIS_24_7, PARIS, date(2026, 10, 25), 25),
        (PARIS_24_7, PARIS, date(2026, 7, 14), 24),
    ],
)
def test_round_the_clock_days_last_as_long_as_they_really_do(spec, zone, day, hours):
    midnight = local(zone, day.year, day.month, day.day)
    next_midnight = local(zone, *(day + timedelta(days=1)).timetuple()[:3])
    assert business_minutes_between(midnight, next_midnight, spec) == hours * 60
    # Round the clock, business time is elapsed time (aware + timedelta would be wall-clock time).
    assert add_business_minutes(midnight, 24 * 60, spec) == midnight.astimezone(UTC) + timedelta(hours=24)


@pytest.mark.parametrize(
    ("day", "opens", "closes", "minutes"),
    [
        (date(2026, 3, 29), time(1), time(4), 120),  # 02:00-03:00 never shown
        (date(2026, 3, 29), time(2, 30), time(5), 120),  # opens in the gap: at the jump, 03:00 CEST
        (date(2026, 10, 25), time(1), time(4), 240),  # 02:00-03:00 shown twice
        (date(2026, 10, 25), time(0), time(2, 30), 210),  # closes at the second 02:30
        (date(2026, 4, 5), time(1), time(4), 180),  # an ordinary Sunday
    ],
)
def test_opening_hours_inside_the_dst_change(day, opens, closes, minutes):
    spec = make_spec("Europe/Paris", {6: [(opens, closes)]})  # Sundays only
    saturday = local(PARIS, *(day - timedelta(days=1)).timetuple()[:3], 12)
    assert business_minutes_between(saturday, saturday + timedelta(days=2), spec) == minutes
    first_open = add_business_minutes(saturday, 1, spec) - timedelta(minutes=1)
    assert is_open_at(first_open, spec)
    assert not is_open_at(first_open - timedelta(seconds=1), spec)


def test_opening_in_the_spring_gap_starts_at_the_jump():
    spec = make_spec("Europe/Paris", {6: [(time(2, 30), time(5))]})
    due = add_business_minutes(local(PARIS, 2026, 3, 28, 12), 1, spec)
    assert due == utc(2026, 3, 29, 1, 1)  # 03:01 CEST


# --- pauses and warnings ----------------------------------------------------------------------

MONDAY_9 = local(TORONTO, 2026, 1, 12, 9, 0)


def test_warning_and_due_without_pauses():
    warning_at, due_at = due_times(MONDAY_9, 240, 75, [], QUEBEC)
    assert warning_at == local(TORONTO, 2026, 1, 12, 12, 0)
    assert due_at == local(TORONTO, 2026, 1, 12, 13, 0) == add_business_minutes(MONDAY_9, 240, QUEBEC)


def test_warning_share_is_rounded_down_to_the_second():
    warning_at, due_at = due_times(MONDAY_9, 1, 75, [], QUEBEC)
    assert warning_at == MONDAY_9 + timedelta(seconds=45)
    assert due_at == MONDAY_9 + timedelta(minutes=1)


def test_pause_extends_both_instants():
    pause = (local(TORONTO, 2026, 1, 12, 10, 0), local(TORONTO, 2026, 1, 12, 11, 0))
    warning_at, due_at = due_times(MONDAY_9, 240, 75, [pause], QUEBEC)
    assert warning_at == local(TORONTO, 2026, 1, 12, 13, 0)
    assert due_at == local(TORONTO, 2026, 1, 12, 14, 0)


def test_only_business_time_inside_a_pause_counts():
    # Waiting on the customer from Monday 16:00 to Tuesday 10:00 costs 1 h + 2 h of business time.
    pause = (local(TORONTO, 2026, 1, 12, 16, 0), local(TORONTO, 2026, 1, 13, 10, 0))
    _, due_at = due_times(MONDAY_9, 540, 75, [pause], QUEBEC)
    assert due_at == local(TORONTO, 2026, 1, 13, 12, 0)
    _, unpaused = due_times(MONDAY_9, 540, 75, [], QUEBEC)
    assert unpaused == local(TORONTO, 2026, 1, 13, 9, 0)


def test_pause_in_closed_time_changes_nothing():
    weekend = (local(TORONTO, 2026, 1, 10, 9, 0), local(TORONTO, 2026, 1, 11, 18, 0))
    start = local(TORONTO, 2026, 1, 9, 16, 0)
    assert due_times(start, 120, 75, [weekend], QUEBEC) == due_times(start, 120, 75, [], QUEBEC)


def test_overlapping_unsorted_and_earlier_pauses_are_merged():
    pauses = [
        (local(TORONTO, 2026, 1, 12, 10, 30), local(TORONTO, 2026, 1, 12, 11, 0)),
        (local(TORONTO, 2026, 1, 12, 10, 0), local(TORONTO, 2026, 1, 12, 10, 45)),
        (local(TORONTO, 2026, 1, 5, 10, 0), local(TORONTO, 2026, 1, 5, 11, 0)),  # before the start
        (local(TORONTO, 2026, 1, 12, 8, 0), local(TORONTO, 2026, 1, 12, 9, 30)),  # straddles it
    ]
    _, due_at = due_times(MONDAY_9, 240, 75, pauses, QUEBEC)
    assert due_at == local(TORONTO, 2026, 1, 12, 14, 30)  # 30 + 60 minutes paused


def test_open_pause_stops_the_clock():
    paused_at = local(TORONTO, 2026, 1, 12, 10, 30)
    warning_at, due_at = due_times(MONDAY_9, 120, 50, [(paused_at, None)], QUEBEC)
    assert warning_at == local(TORONTO, 2026, 1, 12, 10, 0)  # reached before the pause
    assert due_at is None


def test_pause_across_dst_is_measured_on_the_instant_timeline():
    start = local(PARIS, 2026, 10, 23, 17, 0)  # Friday, 60 minutes before close
    pause = (local(PARIS, 2026, 10, 23, 17, 30), local(PARIS, 2026, 10, 26, 10, 0))
    _, due_at = due_times(start, 60, 75, [pause], FRANCE)
    assert due_at == local(PARIS, 2026, 10, 26, 10, 30) == utc(2026, 10, 26, 9, 30)


# --- errors and speed ------------------------------------------------------------------------


def test_refuses_naive_datetimes_and_bad_arguments():
    from datetime import datetime

    with pytest.raises(ValueError):
        add_business_minutes(datetime(2026, 1, 12, 9), 10, QUEBEC)  # noqa: DTZ001
    with pytest.raises(ValueError):
        add_business_minutes(MONDAY_9, -1, QUEBEC)
    with pytest.raises(ValueError):
        due_times(MONDAY_9, 60, 100, [], QUEBEC)
    with pytest.raises(ValueError):
        due_times(MONDAY_9, 60, 75, [(MONDAY_9, MONDAY_9 - timedelta(hours=1))], QUEBEC)


def test_spec_refuses_bad_intervals():
    with pytest.raises(ValueError):
        CalendarSpec(time_zone="Europe/Paris", weekly=((),) * 6)
    with pytest.raises(ValueError):
        CalendarSpec(time_zone="Europe/Paris", weekly=(((600, 500),),) + ((),) * 6)
    with pytest.raises(ValueError):
        weekly_intervals({0: [(time(17), time(8))]})
    assert weekly_intervals({0: [(time(8), time(12)), (time(11), time(13))]})[0] == ((480, 780),)


def test_never_open_calendar_is_refused():
    with pytest.raises(CalendarNeverOpen):
        add_business_minutes(MONDAY_9, 1, make_spec("America/Toronto", {}))

    def every_day(year: int) -> frozenset[date]:
        first = date(year, 1, 1)
        return frozenset(
            first + timedelta(days=n) for n in range(366) if (first + timedelta(days=n)).year == year
        )

    spec = CalendarSpec(time_zone="America/Toronto", weekly=QUEBEC.weekly, closed_dates=every_day)
    with pytest.raises(CalendarNeverOpen):
        add_business_minutes(MONDAY_9, 1, spec)


def test_ten_business_days_across_the_holiday_week_are_fast():
    holidays_week = frozenset(date(2026, 12, d) for d in (24, 28, 29, 30, 31))
    spec = make_spec("America/Toronto", OFFICE, country="CA", subdiv="QC", extra=holidays_week)
    start = local(TORONTO, 2026, 12, 21, 8, 0)
    began = stopwatch.perf_counter()
    for _ in range(100):
        due = add_business_minutes(start, 10 * 540, spec)
        assert business_minutes_between(start, due, spec) == 10 * 540
    assert stopwatch.perf_counter() - began < 2.0  # 100 round trips; about 1 ms each in practice
    assert due == local(TORONTO, 2027, 1, 12, 17, 0)
