"""Keeping the figures up to date: each ticket's facts, and their sums per day.

``facts_refresh(ticket_ids)`` recomputes the facts of some tickets from their rows and history,
compares them with what was last applied, and adds the difference to ``DailyFigures`` in the same
transaction: running it twice changes nothing, and a ticket that moves (another team, reopened,
resolved again) leaves its old cells as it enters the new ones.

``metrics_sweep`` (a periodic job of the worker) finds what changed since it last ran (tickets,
SLA alerts, sentiment scores, effort, survey answers) through each source's timestamp, so the
request path pays nothing for the dashboard. ``metrics_rebuild`` starts again from the tickets.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from comptoir.sla.models import Target
from comptoir.surveys.models import Survey
from comptoir.tickets.models import SlaAlert, Ticket, TicketEvent
from comptoir.voice.models import MessageSentiment, TicketVoice

from .facts import FACT_FIELDS, Fact, fact_of
from .models import SWEPT, DailyFigures, SlaOutcome, SweepCursor, TicketFact

logger = logging.getLogger("comptoir.insights")

CLOSED = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
BATCH = 500
# A transaction may commit a little after the time it wrote; the sweep reads back this far.
OVERLAP = timedelta(seconds=5)


def complaint_categories() -> frozenset[int]:
    from comptoir.tickets.models import Category

    slugs = getattr(settings, "COMPTOIR_COMPLAINT_CATEGORIES", ("complaint",))
    return frozenset(Category.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def facts_compute(ticket_ids: Iterable[int]) -> dict[int, Fact]:
    """The facts of these tickets as they are now, in a fixed number of queries."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    tickets = Ticket.objects.filter(pk__in=ids).values(
        "pk", "version", "customer_id", "team_id", "category_id", "channel", "created_at", "is_open",
        "resolved_at", "first_response_at", "sla_policy_id", "merged_into_id",
    )  # fmt: skip
    escalated = set(
        TicketEvent.objects.filter(ticket_id__in=ids, field=TicketEvent.Kind.LEVEL, new="2").values_list(
            "ticket_id", flat=True
        )
    )
    transitions: dict[int, list[tuple[str, str, datetime]]] = defaultdict(list)
    status_events = TicketEvent.objects.filter(ticket_id__in=ids, field=TicketEvent.Kind.STATUS)
    status_events = status_events.order_by("id")
    for ticket_id, old, new, at in status_events.values_list("ticket_id", "old", "new", "created_at"):
        transitions[ticket_id].append((old, new, at))
    breaches: dict[int, set[str]] = defaultdict(set)
    alerts = SlaAlert.objects.filter(ticket_id__in=ids, kind=SlaAlert.Kind.BREACH)
    for ticket_id, target in alerts.values_list("ticket_id", "target"):
        breaches[ticket_id].add(target)
    voices = {
        row["ticket_id"]: row
        for row in TicketVoice.objects.filter(ticket_id__in=ids).values(
            "ticket_id", "unhappy", "effort", "high_effort"
        )
    }
    surveys = {
        row["ticket_id"]: row
        for row in Survey.objects.filter(ticket_id__in=ids, answered_at__isnull=False).values(
            "ticket_id", "satisfaction", "effort"
        )
    }
    scored: Counter = Counter()
    negative: Counter = Counter()
    sentiments = MessageSentiment.objects.filter(ticket_id__in=ids).values_list("ticket_id", "label")
    for ticket_id, label in sentiments:
        scored[ticket_id] += 1
        negative[ticket_id] += int(label == MessageSentiment.Label.NEGATIVE)
    complaints = complaint_categories()

    facts: dict[int, Fact] = {}
    for row in tickets:
        pk = row["pk"]
        created_at = row["created_at"]
        reopened, closed_at = _status_story(transitions.get(pk, []))
        if not row["is_open"] and closed_at is None:
            closed_at = row["resolved_at"]
        resolved_at = None if row["is_open"] else closed_at
        first_response = row["first_response_at"]
        has_policy = row["sla_policy_id"] is not None
        missed = breaches.get(pk, set())
        if Target.FIRST_RESPONSE in missed:
            fr_sla = SlaOutcome.MISSED
        elif has_policy and first_response is not None:
            fr_sla = SlaOutcome.MET
        else:
            fr_sla = SlaOutcome.NONE
        if resolved_at is not None and Target.RESOLUTION in missed:
            res_sla = SlaOutcome.MISSED
        elif resolved_at is not None and has_policy:
            res_sla = SlaOutcome.MET
        else:
            res_sla = SlaOutcome.NONE
        voice: dict = dict(voices.get(pk) or {})
        survey: dict = dict(surveys.get(pk) or {})
        facts[pk] = Fact(
            version=row["version"],
            customer_id=row["customer_id"] or 0,
            team_id=row["team_id"] or 0,
            category_id=row["category_id"] or 0,
            channel=row["channel"] or "",
            created_at=created_at,
            created_day=timezone.localdate(created_at),
            is_open=row["is_open"],
            resolved_day=timezone.localdate(resolved_at) if resolved_at is not None else None,
            first_response_seconds=_seconds(created_at, first_response),
            resolution_seconds=_seconds(created_at, resolved_at),
            escalated=pk in escalated,
            reopened=reopened,
            first_response_sla=fr_sla,
            resolution_sla=res_sla,
            complaint=row["category_id"] in complaints,
            unhappy=bool(voice.get("unhappy")),
            effort=voice.get("effort"),
            high_effort=bool(voice.get("high_effort")),
            csat=survey.get("satisfaction"),
            ces=survey.get("effort"),
            messages_scored=scored[pk],
            messages_negative=negative[pk],
            # A ticket merged into another is the other's business: counted once, there.
            counted=row["merged_into_id"] is None,
        )
    return facts


def _seconds(start: datetime, end: datetime | None) -> int | None:
    if end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def _status_story(events: list[tuple[str, str, datetime]]) -> tuple[int, datetime | None]:
    """How many times the ticket was reopened, and when it was last resolved or closed from an
    open status (a resolved ticket later closed keeps its resolution time)."""
    reopened = 0
    closed_at: datetime | None = None
    for old, new, at in events:
        if new in CLOSED and old not in CLOSED:
            closed_at = at
        elif new not in CLOSED and old in CLOSED:
            reopened += 1
            closed_at = None
    return reopened, closed_at


def facts_refresh(ticket_ids: Iterable[int]) -> int:
    """Recompute these tickets' facts and apply the difference to the daily sums; returns how
    many tickets changed. One transaction per call; safe to run again and from two processes."""
    ids = sorted(set(ticket_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for attempt in range(3):
            try:
                changed += _refresh_chunk(chunk)
                break
            except IntegrityError:  # another process created the same fact or cell first
                if attempt == 2:
                    raise
    return changed


def _refresh_chunk(ids: list[int]) -> int:
    with transaction.atomic():
        stored_rows = TicketFact.objects.filter(ticket_id__in=ids)
        if connection.features.has_select_for_update:
            stored_rows = stored_rows.select_for_update()
        stored = {row.ticket_id: row for row in stored_rows}
        computed = facts_compute(ids)
        delta: dict[tuple[date, int, int, str], Counter] = defaultdict(Counter)
        create: list[TicketFact] = []
        update: list[TicketFact] = []
        removed: list[int] = []
        for pk in ids:
            new = computed.get(pk)
            row = stored.get(pk)
            old = fact_of(row) if row is not None else None
            if new == old:
                continue
            for key, counts in (old.cells() if old else {}).items():
                delta[key].subtract(counts)
            for key, counts in (new.cells() if new else {}).items():
                delta[key].update(counts)
            if new is None:
                removed.append(pk)
            elif row is None:
                create.append(TicketFact(ticket_id=pk, **{n: getattr(new, n) for n in FACT_FIELDS}))
            else:
                for name in FACT_FIELDS:
                    setattr(row, name, getattr(new, name))
                row.computed_at = timezone.now()
                update.append(row)
        # Changed rows are written again rather than updated: ``bulk_update`` compiles a CASE per
        # column and row, seconds for a few hundred tickets (bench/results/quality.md).
        gone = removed + [row.ticket_id for row in update]
        if gone:
            TicketFact.objects.filter(ticket_id__in=gone).delete()
        if create or update:
            TicketFact.objects.bulk_create(create + update)
        _apply(delta)
        return len(create) + len(update) + len(removed)


def _apply(delta: dict[tuple[date, int, int, str], Counter]) -> None:
    for (day, team_id, category_id, channel), counts in delta.items():
        counts = Counter({name: value for name, value in counts.items() if value})
        if not counts:
            continue
        cell = DailyFigures.objects.filter(day=day, team_id=team_id, category_id=category_id, channel=channel)
        if not cell.update(**{name: F(name) + value for name, value in counts.items()}):
            DailyFigures.objects.create(
                day=day,
                month=day.replace(day=1),
                team_id=team_id,
                category_id=category_id,
                channel=channel,
                **counts,
            )


# The sources of change the sweep follows: (name, model, time column, ticket column).
SOURCES: tuple[tuple[str, type[models.Model], str, str], ...] = (
    ("tickets", Ticket, "updated_at", "pk"),
    ("sla_alerts", SlaAlert, "created_at", "ticket_id"),
    ("sentiment", MessageSentiment, "created_at", "ticket_id"),
    ("effort", TicketVoice, "updated_at", "ticket_id"),
    ("surveys", Survey, "updated_at", "ticket_id"),
)


def metrics_sweep(*, limit: int = 5000) -> int:
    """Bring the facts up to date with what changed since the last sweep (a periodic job).

    Each source is read by its own timestamp from where the last sweep stopped (less a few
    seconds for transactions that committed late), at most ``limit`` rows a time; a backlog (a
    first run over existing tickets) is caught up over the following sweeps."""
    total = 0
    for name, model, column, ticket_column in SOURCES:
        cursor = SweepCursor.objects.filter(source=name).first()
        rows = model._default_manager.exclude(**{f"{column}__isnull": True})
        if cursor is not None:
            since = cursor.position if cursor.behind else cursor.position - OVERLAP
            rows = rows.filter(**{f"{column}__gte": since})
        batch = list(rows.order_by(column).values_list(ticket_column, column)[:limit])
        if not batch:
            if cursor is not None and cursor.behind:
                SweepCursor.objects.filter(source=name).update(behind=False)
            continue
        ids = {ticket_id for ticket_id, _at in batch}
        if name == "tickets":
            # Most of the overlap is tickets already seen at this version: skip them cheaply.
            seen = dict(TicketFact.objects.filter(ticket_id__in=ids).values_list("ticket_id", "version"))
            versions = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "version"))
            ids = {pk for pk in ids if pk not in seen or seen[pk] != versions.get(pk)}
        total += facts_refresh(ids)
        behind = len(batch) == limit
        position = batch[-1][1]
        if behind and cursor is not None and position == cursor.position:
            # A whole batch sharing one instant: step past it rather than read it forever.
            position += timedelta(microseconds=1)
        SweepCursor.objects.update_or_create(source=name, defaults={"position": position, "behind": behind})
    SweepCursor.objects.update_or_create(source=SWEPT, defaults={"position": timezone.now()})
    return total


def metrics_behind() -> bool:
    """Whether the last sweep stopped at its limit on some source (more is waiting)."""
    return SweepCursor.objects.filter(behind=True).exists()


def metrics_rebuild(*, batch: int = 2000) -> int:
    """Compute every ticket's facts and the daily sums again from nothing; returns the tickets
    counted. For an upgrade, a restore, or after changing which categories are complaints."""
    with transaction.atomic():
        DailyFigures.objects.all().delete()
        TicketFact.objects.all().delete()
        SweepCursor.objects.all().delete()
    started = timezone.now()
    last = 0
    count = 0
    while True:
        ids = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        facts_refresh(ids)
        count += len(ids)
        last = ids[-1]
    # Changes made while rebuilding are picked up by the next sweep.
    for name, _model, _column, _ticket_column in SOURCES:
        SweepCursor.objects.update_or_create(source=name, defaults={"position": started})
    SweepCursor.objects.update_or_create(source=SWEPT, defaults={"position": timezone.now()})
    return count
