"""Service levels exist right after ``migrate``: no ticket is ever created without clocks.

The same rows as ``comptoir sla setup`` (the Québec calendar, Mon-Fri 08:00-17:00, and one
policy per priority), written with the historical models and frozen here. Idempotent: existing
rows, possibly edited by an administrator, are left alone.
"""

from datetime import time

from django.db import migrations

HOUR = 60
BUSINESS_DAY = 9 * HOUR
# priority: (first response, next response, resolution), in business minutes.
TARGETS = {
    "P1": (1 * HOUR, 4 * HOUR, 8 * HOUR),
    "P2": (2 * HOUR, 8 * HOUR, 2 * BUSINESS_DAY),
    "P3": (4 * HOUR, 1 * BUSINESS_DAY, 3 * BUSINESS_DAY),
    "P4": (8 * HOUR, 16 * HOUR, 5 * BUSINESS_DAY),
}


def create_defaults(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    OpeningHours = apps.get_model("sla", "OpeningHours")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    calendar, created = BusinessCalendar.objects.get_or_create(
        name="Québec",
        defaults={"time_zone": "America/Toronto", "holiday_country": "CA", "holiday_subdiv": "QC"},
    )
    if created:
        OpeningHours.objects.bulk_create(
            OpeningHours(calendar=calendar, weekday=weekday, start=time(8), end=time(17))
            for weekday in range(5)
        )
    for priority, (first, following, resolution) in TARGETS.items():
        if SlaPolicy.objects.filter(
            priority=priority, customer_tier__isnull=True, category_slug__isnull=True
        ).exists():
            continue
        SlaPolicy.objects.create(
            name=f"{priority} ({calendar.name})",
            calendar=calendar,
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=following,
            resolution_minutes=resolution,
            warning_percent=75,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
