from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from comptoir.sla.models import BusinessCalendar, SlaPolicy
from comptoir.sla.selectors import calendar_spec, policy_for
from comptoir.sla.services import sla_default_setup

pytestmark = pytest.mark.django_db


def _shipped() -> list[tuple]:
    return sorted(
        SlaPolicy.objects.values_list(
            "name", "calendar__name", "priority", "customer_tier", "category_slug",
            "first_response_minutes", "next_response_minutes", "resolution_minutes", "warning_percent",
        )
    )  # fmt: skip


@pytest.mark.fault("issue8-10")
def test_migrate_ships_the_same_calendar_and_policies_as_sla_setup():
    """Right after ``migrate`` (this test database) a ticket has clocks: ``sla setup`` adds nothing."""
    migrated = _shipped()
    assert len(migrated) == 4
    result = sla_default_setup()
    assert not result.calendar_created and result.policies_created == 0
    SlaPolicy.objects.all().delete()
    BusinessCalendar.objects.all().delete()
    sla_default_setup()
    assert _shipped() == migrated


def test_the_data_migration_runs_again_without_doubling_or_undoing_edits():
    migration = importlib.import_module("comptoir.sla.migrations.0002_default_calendar_and_policies")
    SlaPolicy.objects.filter(priority="P1").update(first_response_minutes=30)
    migration.create_defaults(apps, None)
    assert SlaPolicy.objects.count() == 4 and BusinessCalendar.objects.count() == 1
    assert SlaPolicy.objects.get(priority="P1").first_response_minutes == 30


def test_creates_the_quebec_calendar_and_one_policy_per_priority():
    SlaPolicy.objects.all().delete()
    BusinessCalendar.objects.all().delete()
    result = sla_default_setup()
    assert result.calendar_created and result.policies_created == 4
    calendar = BusinessCalendar.objects.get(name="Québec")
    assert (calendar.time_zone, calendar.holiday_country, calendar.holiday_subdiv) == (
        "America/Toronto",
        "CA",
        "QC",
    )
    spec = calendar_spec(calendar)
    assert spec.weekly[:5] == (((480, 1020),),) * 5 and spec.weekly[5:] == ((), ())
    p1 = policy_for(priority="P1", tier="standard", category_slug="panne")
    assert (p1.first_response_minutes, p1.next_response_minutes, p1.resolution_minutes) == (60, 240, 480)
    p4 = policy_for(priority="P4", tier=None, category_slug=None)
    assert (p4.first_response_minutes, p4.next_response_minutes, p4.resolution_minutes) == (480, 960, 5 * 540)
    assert set(SlaPolicy.objects.values_list("warning_percent", flat=True)) == {75}


def test_running_again_changes_nothing_and_keeps_edits():
    sla_default_setup()
    SlaPolicy.objects.filter(priority="P1").update(first_response_minutes=30)
    SlaPolicy.objects.filter(priority="P4").delete()
    result = sla_default_setup()
    assert not result.calendar_created and result.policies_created == 1
    assert SlaPolicy.objects.get(priority="P1").first_response_minutes == 30
    assert SlaPolicy.objects.count() == 4
    assert BusinessCalendar.objects.count() == 1
    assert BusinessCalendar.objects.get().opening_hours.count() == 5


def test_command_sla_setup():
    SlaPolicy.objects.all().delete()
    out = StringIO()
    call_command("sla", "setup", stdout=out)
    call_command("sla", "setup", stdout=out)
    assert SlaPolicy.objects.count() == 4
    assert "4" in out.getvalue() and "0" in out.getvalue()
