"""Business calendars and SLA policies. The clock itself is pure code in ``clock.py``."""

from __future__ import annotations

import zoneinfo
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from comptoir.common.choices import Tier
from comptoir.common.models import BaseModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone."), code="time_zone")


class Priority(models.TextChoices):
    """The ticket priorities a policy can be chosen by (same values as ``Ticket.Priority``)."""

    P1 = "P1", _("P1 – critical")
    P2 = "P2", _("P2 – high")
    P3 = "P3", _("P3 – normal")
    P4 = "P4", _("P4 – low")


class Target(models.TextChoices):
    """The three clocks a policy sets."""

    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class BusinessCalendar(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("An IANA time zone name, e.g. America/Toronto or Europe/Paris."),
    )
    holiday_country = models.CharField(
        _("public holidays of country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 country code, e.g. CA or FR; empty for no public holidays."),
    )
    holiday_subdiv = models.CharField(
        _("public holidays of region"),
        max_length=10,
        null=True,
        blank=True,
        help_text=_("Province, state or region code, e.g. QC or ON; empty for national holidays only."),
    )
    always_open = models.BooleanField(
        _("open 24 hours a day, 7 days a week"),
        default=False,
        help_text=_("Every minute counts; opening hours and holidays are then ignored."),
    )
    extra_closed_dates = models.JSONField(
        _("extra closed dates"),
        default=list,
        blank=True,
        help_text=_("Other days when the service is closed, as a list of YYYY-MM-DD dates."),
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(holiday_subdiv__isnull=True) | ~Q(holiday_country=""),
                name="sla_calendar_subdiv_needs_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def closed_dates(self) -> frozenset[date]:
        """The extra closed dates, parsed (``clean`` guarantees they parse)."""
        return frozenset(date.fromisoformat(d) for d in self.extra_closed_dates or [])

    def clean(self) -> None:
        import holidays

        errors: dict[str, ValidationError] = {}
        if self.holiday_subdiv == "":
            self.holiday_subdiv = None
        if self.holiday_country:
            try:
                holidays.country_holidays(self.holiday_country, subdiv=self.holiday_subdiv)
            except NotImplementedError:
                field = "holiday_subdiv" if self.holiday_subdiv else "holiday_country"
                errors[field] = ValidationError(
                    _("No public holidays are known for this country or region."), code="holidays"
                )
        elif self.holiday_subdiv:
            errors["holiday_subdiv"] = ValidationError(_("A region needs a country."), code="holidays")
        values = self.extra_closed_dates
        try:
            if not isinstance(values, list):
                raise TypeError
            for value in values:
                date.fromisoformat(value)
        except (TypeError, ValueError):
            errors["extra_closed_dates"] = ValidationError(
                _("Enter a list of dates written YYYY-MM-DD."), code="dates"
            )
        if errors:
            raise ValidationError(errors)


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="opening_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start = models.TimeField(_("opens at"))
    end = models.TimeField(_("closes at"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="sla_hours_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")) | Q(end=time(0)), name="sla_hours_end_after_start"
            ),
            models.UniqueConstraint(fields=["calendar", "weekday", "start"], name="sla_hours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end != time(0) and self.end <= self.start:
            raise ValidationError({"end": _("Closing time must be after opening time.")})


PRECEDENCE_HELP = _(
    "A ticket gets the policy whose criteria all match it (an empty criterion matches anything). "
    "When several match, the one naming the most criteria wins; between policies naming as many, "
    "the customer tier beats the priority, which beats the category. So a policy naming only the "
    "tier Key account applies to every ticket of a key account, ahead of the per-priority policies; "
    "add a policy naming both the tier and a priority to treat, say, a key account's P1 differently."
)


class SlaPolicy(BaseModel):
    """Targets for the tickets it matches; empty criteria match anything, the most specific wins.

    Precedence (``sla.selectors.policy_for``): most criteria named, then tier > priority > category.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="policies"
    )
    priority = models.CharField(
        _("priority"),
        max_length=2,
        choices=Priority,
        null=True,
        blank=True,
        help_text=_("Empty: any priority."),
    )
    customer_tier = models.CharField(
        _("customer tier"),
        max_length=30,
        choices=Tier,
        null=True,
        blank=True,
        help_text=_("Empty: any tier. A policy naming the tier wins over one naming only the priority."),
    )
    category_slug = models.SlugField(
        _("category"), max_length=50, null=True, blank=True, help_text=_("Empty: any category.")
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response target (business minutes)"), validators=[MinValueValidator(1)]
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response target (business minutes)"), validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution target (business minutes)"), validators=[MinValueValidator(1)]
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warning threshold (percentage of the target)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority", "name"]
        constraints = [
            # One policy per combination of criteria, empty counting as a value of its own.
            models.UniqueConstraint(
                Coalesce("priority", Value("")),
                Coalesce("customer_tier", Value("")),
                Coalesce("category_slug", Value("")),
                name="sla_policy_unique_criteria",
                violation_error_message=_("Another policy already has these criteria."),
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_policy_warning_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    first_response_minutes__gte=1, next_response_minutes__gte=1, resolution_minutes__gte=1
                ),
                name="sla_policy_targets_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def minutes_for(self, target: Target | str) -> int:
        return {
            Target.FIRST_RESPONSE: self.first_response_minutes,
            Target.NEXT_RESPONSE: self.next_response_minutes,
            Target.RESOLUTION: self.resolution_minutes,
        }[Target(target)]

    def clean(self) -> None:
        # Empty text from a form means "any": store NULL so the unique criteria stay one value.
        for name in ("priority", "customer_tier", "category_slug"):
            if getattr(self, name) == "":
                setattr(self, name, None)
