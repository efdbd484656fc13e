"""SLA writes: the default calendar and policies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.db import transaction

from .models import BusinessCalendar, OpeningHours, Priority, SlaPolicy

HOUR = 60
BUSINESS_DAY = 9 * HOUR  # the default calendar opens 08:00-17:00

DEFAULT_CALENDAR = "Québec"
# priority: (first response, next response, resolution), in business minutes.
DEFAULT_TARGETS = {
    Priority.P1: (1 * HOUR, 4 * HOUR, 8 * HOUR),
    Priority.P2: (2 * HOUR, 8 * HOUR, 2 * BUSINESS_DAY),
    Priority.P3: (4 * HOUR, 1 * BUSINESS_DAY, 3 * BUSINESS_DAY),
    Priority.P4: (8 * HOUR, 16 * HOUR, 5 * BUSINESS_DAY),
}
DEFAULT_WARNING_PERCENT = 75


@dataclass(frozen=True)
class SetupResult:
    calendar: BusinessCalendar
    calendar_created: bool
    policies_created: int


@transaction.atomic
def sla_default_setup() -> SetupResult:
    """Create the Québec calendar (Mon-Fri 08:00-17:00, America/Toronto, CA-QC holidays) and one
    policy per priority, unless they exist. Safe to run again: existing rows, possibly edited by an
    administrator, are left alone.
    """
    calendar, calendar_created = BusinessCalendar.objects.get_or_create(
        name=DEFAULT_CALENDAR,
        defaults={"time_zone": "America/Toronto", "holiday_country": "CA", "holiday_subdiv": "QC"},
    )
    if calendar_created:
        OpeningHours.objects.bulk_create(
            OpeningHours(calendar=calendar, weekday=weekday, start=time(8), end=time(17))
            for weekday in range(5)
        )
    created = 0
    for priority, (first, following, resolution) in DEFAULT_TARGETS.items():
        exists = SlaPolicy.objects.filter(
            priority=priority, customer_tier__isnull=True, category_slug__isnull=True
        ).exists()
        if exists:
            continue
        SlaPolicy.objects.create(
            name=f"{priority.value} ({calendar.name})",
            calendar=calendar,
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=following,
            resolution_minutes=resolution,
            warning_percent=DEFAULT_WARNING_PERCENT,
        )
        created += 1
    return SetupResult(calendar=calendar, calendar_created=calendar_created, policies_created=created)
