from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from comptoir.sla.models import BusinessCalendar, OpeningHours, SlaPolicy

from .factories import BusinessCalendarFactory, SlaPolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_shipped_policies():
    """These tests build their own policies; the ones ``migrate`` ships would match first."""
    SlaPolicy.objects.all().delete()


def _refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_one_policy_per_criteria_even_when_empty():
    calendar = BusinessCalendarFactory()
    SlaPolicyFactory(calendar=calendar, priority="P1")
    SlaPolicyFactory(calendar=calendar)
    _refused(lambda: SlaPolicyFactory(calendar=calendar, priority="P1"))
    _refused(lambda: SlaPolicyFactory(calendar=calendar))
    SlaPolicyFactory(calendar=calendar, priority="P1", customer_tier="key")


@pytest.mark.parametrize("percent", [0, 100])
def test_warning_percent_within_one_and_ninety_nine(percent):
    _refused(lambda: SlaPolicyFactory(warning_percent=percent))
    with pytest.raises(ValidationError):
        SlaPolicyFactory.build(warning_percent=percent, calendar=BusinessCalendarFactory()).full_clean()


def test_targets_must_be_positive():
    _refused(lambda: SlaPolicyFactory(resolution_minutes=0))


def test_opening_hours_must_close_after_opening():
    calendar = BusinessCalendarFactory(hours=[])
    _refused(lambda: OpeningHours.objects.create(calendar=calendar, weekday=0, start=time(17), end=time(8)))
    _refused(lambda: OpeningHours.objects.create(calendar=calendar, weekday=7, start=time(8), end=time(9)))
    OpeningHours.objects.create(calendar=calendar, weekday=6, start=time(22), end=time(0))  # to midnight
    with pytest.raises(ValidationError):
        OpeningHours(calendar=calendar, weekday=0, start=time(9), end=time(9)).full_clean()


def test_region_needs_a_country():
    _refused(lambda: BusinessCalendarFactory(holiday_country="", holiday_subdiv="QC"))


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("time_zone", {"time_zone": "Mars/Olympus"}),
        ("holiday_country", {"holiday_country": "ZZ", "holiday_subdiv": None}),
        ("holiday_subdiv", {"holiday_country": "CA", "holiday_subdiv": "XX"}),
        ("extra_closed_dates", {"extra_closed_dates": ["2026-13-01"]}),
        ("extra_closed_dates", {"extra_closed_dates": "2026-01-02"}),
    ],
)
def test_calendar_clean_explains_bad_settings(field, values):
    calendar = BusinessCalendar(name="Essai", **{"time_zone": "America/Toronto", **values})
    with pytest.raises(ValidationError) as caught:
        calendar.full_clean()
    assert field in caught.value.message_dict


def test_valid_calendar_is_clean():
    BusinessCalendar(
        name="Paris", time_zone="Europe/Paris", holiday_country="FR", extra_closed_dates=["2026-12-24"]
    ).full_clean()


def test_policy_clean_stores_empty_criteria_as_null():
    policy = SlaPolicy(priority="", customer_tier="", category_slug="")
    policy.clean()
    assert (policy.priority, policy.customer_tier, policy.category_slug) == (None, None, None)
