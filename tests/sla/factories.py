"""SLA factories: a Quebec office calendar and policies, as an administrator would set them up."""

from __future__ import annotations

from datetime import time

import factory

from comptoir.sla.models import BusinessCalendar, OpeningHours, SlaPolicy


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCalendar
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Bureau {n}")
    time_zone = "America/Toronto"
    holiday_country = "CA"
    holiday_subdiv = "QC"

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        """Mon-Fri 08:00-17:00 unless given ``hours=[(weekday, start, end), ...]``."""
        if not create:
            return
        rows = extracted if extracted is not None else [(d, time(8), time(17)) for d in range(5)]
        OpeningHours.objects.bulk_create(
            OpeningHours(calendar=self, weekday=d, start=start, end=end) for d, start, end in rows
        )


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    name = factory.Sequence(lambda n: f"Politique {n}")
    calendar = factory.SubFactory(BusinessCalendarFactory)
    first_response_minutes = 60
    next_response_minutes = 240
    resolution_minutes = 480
    warning_percent = 75
