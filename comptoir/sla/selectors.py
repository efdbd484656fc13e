"""SLA reads: which policy applies, a calendar as the clock sees it, a target's deadlines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from functools import lru_cache, partial

from comptoir.common.config import cached

from .clock import CalendarSpec, Deadline, Pause, due_times, weekly_intervals
from .models import BusinessCalendar, SlaPolicy, Target

# Tie-break between two policies matching as many criteria: tier, then priority, then category. A
# key account's contract outranks the standard per-priority targets (issue 8, item 17: a policy
# naming only the tier used to lose to the per-priority policies of ``comptoir sla setup``).
_WEIGHTS = {"customer_tier": 4, "priority": 2, "category_slug": 1}
_ALWAYS = {weekday: [(time(0), time(0))] for weekday in range(7)}


def _specificity(policy: SlaPolicy) -> tuple[int, int, int]:
    named = [name for name in _WEIGHTS if getattr(policy, name) is not None]
    return (-len(named), -sum(_WEIGHTS[name] for name in named), policy.pk)


def _matches(criterion: str | None, value: str | None) -> bool:
    return criterion is None or (bool(value) and criterion == value)


def policies_cached() -> tuple[list[SlaPolicy], dict[int, CalendarSpec]]:
    """Every policy with its calendar, and each calendar as the clock sees it, kept per process.

    Intake and every ticket change choose a policy; policies change a few times a year. Saving a
    policy, calendar or opening hours drops the copy (``comptoir.common.config``).
    """

    def load() -> tuple[list[SlaPolicy], dict[int, CalendarSpec]]:
        policies = list(
            SlaPolicy.objects.select_related("calendar").prefetch_related("calendar__opening_hours")
        )
        return policies, {p.calendar_id: calendar_spec(p.calendar) for p in policies}

    return cached("sla", load)


def policy_for(*, priority: str | None, tier: str | None, category_slug: str | None) -> SlaPolicy | None:
    """The policy for a ticket, or None when no policy matches.

    A policy matches when each of its criteria is empty or equal to the ticket's. The one naming
    the most criteria wins; between equals, naming the tier beats naming the priority, which beats
    naming the category (the unique constraint on criteria leaves no further tie; the id would).
    The same rule is written for administrators in ``sla.models.PRECEDENCE_HELP``.
    """
    policies, _specs = policies_cached()
    candidates = [
        p
        for p in policies
        if _matches(p.priority, priority)
        and _matches(p.customer_tier, tier)
        and _matches(p.category_slug, category_slug)
    ]
    return min(candidates, key=_specificity, default=None)


@lru_cache(maxsize=512)
def _public_holidays(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())


def _closed_dates(country: str, subdiv: str | None, extra: frozenset[date], year: int) -> frozenset[date]:
    public = _public_holidays(country, subdiv, year) if country else frozenset()
    return public | {d for d in extra if d.year == year}


def calendar_spec(calendar: BusinessCalendar) -> CalendarSpec:
    """The calendar as the clock needs it: one query for the hours (none if prefetched).

    Public holidays are loaded lazily, only for the years a computation reaches, and cached per
    country, region and year for the life of the process.
    """
    if calendar.always_open:
        return CalendarSpec(time_zone=calendar.time_zone, weekly=weekly_intervals(_ALWAYS))
    hours: dict[int, list] = {}
    for row in calendar.opening_hours.all():
        hours.setdefault(row.weekday, []).append((row.start, row.end))
    return CalendarSpec(
        time_zone=calendar.time_zone,
        weekly=weekly_intervals(hours),
        closed_dates=partial(
            _closed_dates, calendar.holiday_country, calendar.holiday_subdiv or None, calendar.closed_dates()
        ),
    )


def policy_criteria(policy: SlaPolicy) -> list[str]:
    """Why a policy applies, in words: the criteria it names ("tier Key account", "priority P2")."""
    from django.utils.translation import gettext as _

    named = []
    if policy.customer_tier:
        named.append(_("customer tier %(tier)s") % {"tier": policy.get_customer_tier_display()})
    if policy.priority:
        named.append(_("priority %(priority)s") % {"priority": policy.priority})
    if policy.category_slug:
        named.append(_("category %(category)s") % {"category": policy.category_slug})
    return named


def sla_deadline(
    *,
    policy: SlaPolicy,
    target: Target | str,
    started_at: datetime,
    pauses: Sequence[Pause] = (),
    spec: CalendarSpec | None = None,
) -> Deadline:
    """Warning and due instants (aware, UTC) of one of a policy's targets.

    ``pauses`` are the (paused_at, resumed_at or None) intervals since ``started_at`` during which
    the ticket waited on the customer. Pass ``spec`` to reuse one calendar for many tickets.
    """
    return due_times(
        started_at,
        policy.minutes_for(target),
        policy.warning_percent,
        list(pauses),
        spec or policies_cached()[1].get(policy.calendar_id) or calendar_spec(policy.calendar),
    )
