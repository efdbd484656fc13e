from __future__ import annotations

from datetime import date, time

import pytest

from comptoir.sla.clock import add_business_minutes
from comptoir.sla.models import BusinessCalendar, SlaPolicy, Target
from comptoir.sla.selectors import calendar_spec, policy_for, sla_deadline

from .calendars import PARIS, TORONTO, local, utc
from .factories import BusinessCalendarFactory, SlaPolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_shipped_policies():
    """These tests build their own policies; the ones ``migrate`` ships would match first."""
    SlaPolicy.objects.all().delete()


@pytest.fixture
def policies():
    calendar = BusinessCalendarFactory()

    def make(name, **criteria):
        return SlaPolicyFactory(name=name, calendar=calendar, **criteria)

    return {
        "default": make("default"),
        "p1": make("p1", priority="P1"),
        "key": make("key", customer_tier="key"),
        "outage": make("outage", category_slug="panne"),
        "p1-key": make("p1-key", priority="P1", customer_tier="key"),
        "key-outage": make("key-outage", customer_tier="key", category_slug="panne"),
        "p1-key-outage": make("p1-key-outage", priority="P1", customer_tier="key", category_slug="panne"),
    }


@pytest.mark.parametrize(
    ("priority", "tier", "category", "expected"),
    [
        ("P3", "standard", "facturation", "default"),
        ("P1", "standard", "facturation", "p1"),
        ("P3", "key", None, "key"),
        ("P3", "standard", "panne", "outage"),
        ("P1", "key", "facturation", "p1-key"),
        ("P3", "key", "panne", "key-outage"),
        ("P1", "key", "panne", "p1-key-outage"),
        ("P1", "standard", "panne", "p1"),  # equal specificity: priority beats category
        ("P2", "key", "panne", "key-outage"),
        (None, None, None, "default"),
    ],
)
def test_most_specific_policy_wins(policies, priority, tier, category, expected):
    assert policy_for(priority=priority, tier=tier, category_slug=category) == policies[expected]


def test_tier_beats_category_between_equals():
    calendar = BusinessCalendarFactory()
    SlaPolicyFactory(calendar=calendar, category_slug="panne")
    key = SlaPolicyFactory(calendar=calendar, customer_tier="key")
    assert policy_for(priority="P3", tier="key", category_slug="panne") == key


def test_no_policy_matches():
    SlaPolicyFactory(priority="P1")
    assert policy_for(priority="P2", tier=None, category_slug=None) is None


def test_policies_are_read_once_per_process_and_a_change_is_seen_at_once(
    policies, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Intake chooses a policy for every ticket: no query once loaded, until a policy changes."""
    with django_capture_on_commit_callbacks(execute=True):  # committed, as an admin's edit would be
        policies["default"].save()
    assert policy_for(priority="P1", tier="key", category_slug="panne").name == "p1-key-outage"
    with django_assert_num_queries(0):
        policy = policy_for(priority="P1", tier="key", category_slug="panne")
        assert policy.calendar.time_zone == "America/Toronto"
        assert policy_for(priority="P3", tier=None, category_slug=None).name == "default"
    with django_capture_on_commit_callbacks(execute=True):
        policies["p1-key-outage"].delete()
    assert policy_for(priority="P1", tier="key", category_slug="panne").name == "p1-key"


def test_calendar_spec_loads_hours_holidays_and_extra_dates(django_assert_num_queries):
    calendar = BusinessCalendarFactory(
        time_zone="Europe/Paris",
        holiday_country="FR",
        holiday_subdiv=None,
        extra_closed_dates=["2026-05-15"],
        hours=[(d, time(9), time(12)) for d in range(5)] + [(d, time(14), time(18)) for d in range(5)],
    )
    calendar = BusinessCalendar.objects.get(pk=calendar.pk)
    with django_assert_num_queries(1):
        spec = calendar_spec(calendar)
    assert spec.time_zone == "Europe/Paris"
    assert spec.weekly[0] == ((540, 720), (840, 1080))
    assert spec.weekly[5] == spec.weekly[6] == ()
    closed = spec.closed_dates(2026)
    assert {date(2026, 5, 1), date(2026, 7, 14), date(2026, 5, 15)} <= closed
    assert date(2027, 5, 15) not in spec.closed_dates(2027)
    # Thursday 14 May 2026 is Ascension, Friday 15 an extra closure.
    due = add_business_minutes(local(PARIS, 2026, 5, 13, 17, 0), 120, spec)
    assert due == local(PARIS, 2026, 5, 18, 10, 0)


def test_calendar_spec_round_the_clock_hours():
    calendar = BusinessCalendarFactory(
        holiday_country="", holiday_subdiv=None, hours=[(d, time(0), time(0)) for d in range(7)]
    )
    spec = calendar_spec(calendar)
    assert spec.weekly == (((0, 1440),),) * 7


def test_sla_deadline_for_each_target():
    policy = SlaPolicyFactory(first_response_minutes=60, next_response_minutes=240, resolution_minutes=540)
    start = local(TORONTO, 2026, 6, 23, 16, 0)  # Tuesday before the Fête nationale
    first = sla_deadline(policy=policy, target=Target.FIRST_RESPONSE, started_at=start)
    assert first == (local(TORONTO, 2026, 6, 23, 16, 45), local(TORONTO, 2026, 6, 23, 17, 0))
    resolution = sla_deadline(policy=policy, target="resolution", started_at=start)
    assert resolution.due_at == utc(2026, 6, 25, 20, 0)  # Thursday 16:00 EDT
    paused = sla_deadline(
        policy=policy,
        target=Target.NEXT_RESPONSE,
        started_at=start,
        pauses=[(local(TORONTO, 2026, 6, 23, 16, 30), None)],
    )
    assert paused.due_at is None
