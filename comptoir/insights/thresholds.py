"""Quality thresholds and corrective actions (issue 12, item 7).

A supervisor bounds one figure of the dashboard over a window ("share resolved at level 1 falls
below 85 % this week", "resolution SLA missed rises above 2 % this week"), optionally for one team,
category or channel, and names an owner. These are internal early warnings on figures of many
tickets, not the contractual SLA targets (the SLA policies' due times on each ticket).

``thresholds_evaluate`` (a periodic job of the worker, every 5 minutes) computes each active
threshold's figure and keeps a small state machine on the threshold row: when the figure goes from
within bounds to crossed, one ``CorrectiveAction`` is opened for the owner, who is told once in the
desk's bell and once by email (through the outbox, one idempotency key per action). While it stays
crossed nothing more happens; back within bounds, the threshold re-arms. A figure with no data
(None: no ticket counted yet) never crosses, and re-arms like a figure within bounds.

Two workers evaluating at once open one action: the threshold row is locked while its state
changes, and ``(threshold, crossing)`` is unique, so even without row locks the second insert fails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from comptoir.common.queries import ROW_ONLY
from comptoir.notifications.models import Notification
from comptoir.notifications.services import notification_notice
from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_enqueue
from comptoir.routing.models import Team
from comptoir.tickets.models import Category, Channel

from .models import CorrectiveAction, QualityThreshold, ThresholdFigure
from .selectors import Filters, figure_value, metrics

logger = logging.getLogger("comptoir.insights")

# Shares are fractions in the figures and percents on a threshold.
SHARES: frozenset[str] = frozenset(name for name in ThresholdFigure.values if name.endswith("_share"))
MINUTES: frozenset[str] = frozenset(name for name in ThresholdFigure.values if "_minutes_" in name)
# The shares of missed targets, computed from the met shares.
MISSED: dict[str, str] = {
    "first_response_sla_missed_share": "first_response_sla_met_share",
    "resolution_sla_missed_share": "resolution_sla_met_share",
}
# Which tickets of the dashboard (``selectors.DRILLS``) a figure opens.
DRILL_OF: dict[str, str] = {
    "tickets_created": "created",
    "tickets_resolved": "resolved",
    "level1_resolution_share": "resolved_level1",
    "escalated_share": "escalated",
    "complaints": "complaints",
    "first_response_sla_met_share": "first_response_sla_missed",
    "first_response_sla_missed_share": "first_response_sla_missed",
    "resolution_sla_met_share": "resolution_sla_missed",
    "resolution_sla_missed_share": "resolution_sla_missed",
    "first_response_minutes_median": "first_response",
    "first_response_minutes_p90": "first_response",
    "resolution_minutes_median": "resolved",
    "resolution_minutes_p90": "resolved",
    "reopened": "reopened",
    "unhappy": "unhappy",
    "csat_average": "csat",
    "ces_average": "ces",
    "effort_average": "resolved",
    "high_effort": "high_effort",
    "negative_share": "negative",
    "backlog": "backlog",
}
DASHBOARD_TICKETS = "/desk/quality/tickets/"  # the dashboard's list of a figure's tickets
ACTION_PATH = "/desk/quality/actions/{id}/"


# -- Reading ------------------------------------------------------------------------------------


def window_bounds(window: str, today: date) -> tuple[date, date]:
    """The days a window covers (both included): calendar day, week from Monday and month, or
    the last 7 / 30 days up to today."""
    if window == QualityThreshold.Window.DAY:
        return today, today
    if window == QualityThreshold.Window.WEEK:
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=6)
    if window == QualityThreshold.Window.MONTH:
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    if window == QualityThreshold.Window.LAST_7_DAYS:
        return today - timedelta(days=6), today
    if window == QualityThreshold.Window.LAST_30_DAYS:
        return today - timedelta(days=29), today
    raise ValueError(window)


def threshold_filters(threshold: QualityThreshold, today: date) -> Filters:
    start, end = window_bounds(threshold.window, today)
    return Filters(
        start=start, end=end, team_id=threshold.team_id, category_id=threshold.category_id,
        channel=threshold.channel or None,
    )  # fmt: skip


def figure_in_units(result: dict, figure: str) -> float | None:
    """A figure as a threshold reads it: shares in percent (2 decimals), others as they are;
    None when nothing was counted."""
    if figure in MISSED:
        met = figure_value(result, MISSED[figure])
        value = None if met is None else 1 - met
    else:
        value = figure_value(result, figure)
    if value is None:
        return None
    return round(value * 100, 2) if figure in SHARES else float(value)


def is_crossed(value: float | None, comparison: str, bound: float) -> bool:
    if value is None:
        return False
    if comparison == QualityThreshold.Comparison.BELOW:
        return value < bound
    return value > bound


def value_text(figure: str, value: float | Decimal | None) -> str:
    """A figure's value as people read it (``85 %``, ``45 min``, ``4.2``), in the active language."""
    if value is None:
        return "—"
    rounded = round(float(value), 2)
    number = formats.number_format(int(rounded) if rounded.is_integer() else rounded, use_l10n=True)
    if figure in SHARES:
        return _("%(value)s %%") % {"value": number}
    if figure in MINUTES:
        return _("%(value)s min") % {"value": number}
    return str(number)


def threshold_scope(threshold: QualityThreshold) -> str:
    """The scope set (team, category, channel) as "team Front, category Billing", in the active language."""
    parts = []
    if threshold.team is not None:
        parts.append(_("team %(name)s") % {"name": threshold.team.name})
    if threshold.category is not None:
        parts.append(_("category %(name)s") % {"name": str(threshold.category)})
    if threshold.channel:
        label = Channel(threshold.channel).label if threshold.channel in Channel.values else threshold.channel
        parts.append(_("channel %(name)s") % {"name": label})
    return ", ".join(parts)


def threshold_sentence(threshold: QualityThreshold) -> str:
    """The threshold in words: "Share resolved at level 1 falls below 85 % over this week (team Front)"."""
    text = _("%(figure)s %(comparison)s %(bound)s over %(window)s") % {
        "figure": ThresholdFigure(threshold.figure).label,
        "comparison": threshold.get_comparison_display(),
        "bound": value_text(threshold.figure, threshold.value),
        "window": threshold.get_window_display(),
    }
    scope = threshold_scope(threshold)
    return _("%(text)s (%(scope)s)") % {"text": text, "scope": scope} if scope else text


def action_tickets_url(action: CorrectiveAction) -> str:
    """The dashboard's list of the tickets behind the action's figure, for its window and scope."""
    threshold = action.threshold
    query: dict[str, str | int] = {
        "drill": DRILL_OF.get(action.figure, "created"),
        "from": action.window_start.isoformat(),
        "to": action.window_end.isoformat(),
    }
    if threshold.team_id:
        query["team"] = threshold.team_id
    if threshold.category_id:
        query["category"] = threshold.category_id
    if threshold.channel:
        query["channel"] = threshold.channel
    return f"{DASHBOARD_TICKETS}?{urlencode(query)}"


def _must_supervise(actor: User) -> None:
    if not actor.supervises:
        raise PermissionDenied(_("Only supervisors manage quality thresholds."))


def threshold_list(*, actor: User) -> list[QualityThreshold]:
    _must_supervise(actor)
    rows = QualityThreshold.objects.select_related("team", "category", "owner")
    return list(rows.order_by("-active", "id"))


def threshold_get(*, actor: User, threshold_id: int) -> QualityThreshold:
    _must_supervise(actor)
    found = (
        QualityThreshold.objects.select_related("team", "category", "owner").filter(pk=threshold_id).first()
    )
    if found is None:
        raise NotFound(_("No such threshold."))
    return found


def _actions_visible_to(actor: User) -> QuerySet[CorrectiveAction]:
    rows = CorrectiveAction.objects.select_related(
        "threshold", "threshold__team", "threshold__category", "owner", "done_by"
    )
    return rows if actor.supervises else rows.filter(owner=actor)


def action_list(*, actor: User, status: str | None = None, mine: bool = False, limit: int = 200
                ) -> list[CorrectiveAction]:  # fmt: skip
    """Corrective actions, newest first: an agent's own; a supervisor's all (``mine``: their own)."""
    rows = _actions_visible_to(actor)
    if mine:
        rows = rows.filter(owner=actor)
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-id")[:limit])


def action_get(*, actor: User, action_id: int) -> CorrectiveAction:
    found = _actions_visible_to(actor).filter(pk=action_id).first()
    if found is None:
        raise NotFound(_("No such corrective action."))
    return found


def open_action_count(*, user: User) -> int:
    return CorrectiveAction.objects.filter(owner=user, status=CorrectiveAction.Status.OPEN).count()


def owner_choices() -> QuerySet[User]:
    from comptoir.accounts.selectors import agent_list

    return agent_list()


# -- Writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdData:
    figure: str
    comparison: str
    value: Decimal
    window: str
    owner: User
    team: Team | None = None
    category: Category | None = None
    channel: str = ""
    active: bool = True


def _clean(data: ThresholdData) -> None:
    if data.figure not in ThresholdFigure.values:
        raise InvalidInput(_("Unknown figure."), field="figure")
    if data.comparison not in QualityThreshold.Comparison.values:
        raise InvalidInput(_("Choose below or above."), field="comparison")
    if data.window not in QualityThreshold.Window.values:
        raise InvalidInput(_("Unknown window."), field="window")
    if data.channel and data.channel not in Channel.values:
        raise InvalidInput(_("No such channel."), field="channel")
    if data.value < 0:
        raise InvalidInput(_("A threshold cannot be negative."), field="value")
    if data.figure in SHARES and data.value > 100:
        raise InvalidInput(_("A share is at most 100 %."), field="value")
    if not (data.owner.is_active and data.owner.is_agent):
        raise InvalidInput(_("The owner must be an active agent."), field="owner")


DEFINITION = ("figure", "comparison", "value", "window", "team", "category", "channel")


@transaction.atomic
def threshold_create(*, actor: User, data: ThresholdData) -> QualityThreshold:
    _must_supervise(actor)
    _clean(data)
    return QualityThreshold.objects.create(
        figure=data.figure, comparison=data.comparison, value=data.value, window=data.window,
        team=data.team, category=data.category, channel=data.channel, owner=data.owner,
        active=data.active, created_by=actor,
    )  # fmt: skip


@transaction.atomic
def threshold_update(*, actor: User, threshold_id: int, data: ThresholdData) -> QualityThreshold:
    """Change a threshold. A new definition (figure, bound, window or scope) re-arms it: its next
    crossing is a new one, even if the old definition was crossed. Open actions stay open."""
    _must_supervise(actor)
    _clean(data)
    threshold = QualityThreshold.objects.select_for_update().filter(pk=threshold_id).first()
    if threshold is None:
        raise NotFound(_("No such threshold."))
    before = tuple(getattr(threshold, f"{name}_id" if name in ("team", "category") else name)
                   for name in DEFINITION)  # fmt: skip
    for name in (*DEFINITION, "owner", "active"):
        setattr(threshold, name, getattr(data, name))
    after = tuple(getattr(threshold, f"{name}_id" if name in ("team", "category") else name)
                  for name in DEFINITION)  # fmt: skip
    fields = [*DEFINITION, "owner", "active", "updated_at"]
    if before != after or not data.active:
        threshold.crossed = False
        threshold.last_value = None
        fields += ["crossed", "last_value"]
    threshold.save(update_fields=fields)
    return threshold


@transaction.atomic
def threshold_deactivate(*, actor: User, threshold_id: int) -> QualityThreshold:
    """Stop evaluating a threshold (kept with its actions); reactivated, it starts re-armed."""
    _must_supervise(actor)
    threshold = QualityThreshold.objects.select_for_update().filter(pk=threshold_id).first()
    if threshold is None:
        raise NotFound(_("No such threshold."))
    threshold.active = False
    threshold.crossed = False
    threshold.save(update_fields=["active", "crossed", "updated_at"])
    return threshold


@transaction.atomic
def action_done(*, actor: User, action_id: int, note: str) -> CorrectiveAction:
    """The owner (or a supervisor) closes a corrective action with what was done."""
    action = CorrectiveAction.objects.select_for_update().filter(pk=action_id).first()
    if action is None or not (actor.supervises or action.owner_id == actor.pk):
        raise NotFound(_("No such corrective action."))
    if action.status == CorrectiveAction.Status.DONE:
        raise Conflict(_("This corrective action is already done."))
    note = note.strip()
    if not note:
        raise InvalidInput(_("Say what was done."), field="note")
    action.status = CorrectiveAction.Status.DONE
    action.note = note[:4000]
    action.done_at = timezone.now()
    action.done_by = actor
    action.save(update_fields=["status", "note", "done_at", "done_by"])
    return action


def threshold_evaluate(
    *, threshold_id: int, now: datetime | None = None, cache: dict[Filters, dict] | None = None
) -> CorrectiveAction | None:
    """Compute one threshold's figure and move its state; returns the action a new crossing
    opened (None otherwise). The figure is computed before the row is locked (no lock is held
    while reading the figures); ``cache`` shares the figures of thresholds with the same scope."""
    now = now or timezone.now()
    threshold = QualityThreshold.objects.filter(pk=threshold_id, active=True).first()
    if threshold is None:
        return None
    filters = threshold_filters(threshold, timezone.localdate(now))
    cache = {} if cache is None else cache
    if filters not in cache:
        cache[filters] = metrics(filters, now=now)
    value = figure_in_units(cache[filters], threshold.figure)
    return _threshold_move(threshold_id=threshold_id, value=value, filters=filters, now=now)


def _threshold_locked(threshold_id: int) -> QualityThreshold | None:
    return (
        QualityThreshold.objects.select_for_update(of=ROW_ONLY)
        .select_related("owner", "team", "category")
        .filter(pk=threshold_id, active=True)
        .first()
    )


@transaction.atomic
def _threshold_move(
    *, threshold_id: int, value: float | None, filters: Filters, now: datetime
) -> CorrectiveAction | None:
    threshold = _threshold_locked(threshold_id)
    if threshold is None:  # deactivated meanwhile
        return None
    crossed = is_crossed(value, threshold.comparison, float(threshold.value))
    action = None
    if crossed and value is not None and not threshold.crossed:
        try:
            with transaction.atomic():
                action = _action_open(threshold, value=value, filters=filters)
        except IntegrityError:  # another evaluation opened this crossing's action first
            logger.info("threshold %s: crossing %s already opened", threshold.pk, threshold.crossings + 1)
            return None
        threshold.crossings = action.crossing
    threshold.crossed = crossed
    threshold.last_value = value
    threshold.last_evaluated_at = now
    threshold.save(update_fields=["crossed", "crossings", "last_value", "last_evaluated_at"])
    return action


def _action_open(threshold: QualityThreshold, *, value: float, filters: Filters) -> CorrectiveAction:
    """Open the action of a new crossing, and tell its owner in the bell and by email."""
    owner = threshold.owner
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        title = threshold_sentence(threshold)
    action = CorrectiveAction.objects.create(
        threshold=threshold, crossing=threshold.crossings + 1, owner=owner, title=title[:300],
        figure=threshold.figure, figure_value=value, threshold_value=float(threshold.value),
        window_start=filters.start, window_end=filters.end,
    )  # fmt: skip
    link = ACTION_PATH.format(id=action.pk)
    notification_notice(
        recipient=owner, kind=Notification.Kind.CORRECTIVE_ACTION, key=f"quality-action:{action.pk}",
        detail=title, link=link,
    )  # fmt: skip
    if owner.email:
        base = settings.BASE_URL.rstrip("/")
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            context = {
                "action": action, "title": title,
                "value": value_text(action.figure, action.figure_value),
                "bound": value_text(action.figure, action.threshold_value),
                "link": base + link, "tickets": base + action_tickets_url(action),
            }  # fmt: skip
            subject = _("Corrective action: %(title)s") % {"title": title}
            body = render_to_string("insights/email/corrective_action.txt", context)
        delivery_enqueue(
            key=f"quality-action:{action.pk}", kind=Delivery.Kind.STAFF_ALERT, recipient=owner.email,
            subject=subject, body=body,
        )  # fmt: skip
    return action


def thresholds_evaluate(*, now: datetime | None = None) -> int:
    """Evaluate every active threshold (the worker's job); returns the actions opened. One
    failing threshold is logged and the others are still evaluated."""
    now = now or timezone.now()
    cache: dict[Filters, dict] = {}
    opened = 0
    for threshold_id in (
        QualityThreshold.objects.filter(active=True).order_by("id").values_list("pk", flat=True)
    ):
        try:
            if threshold_evaluate(threshold_id=threshold_id, now=now, cache=cache) is not None:
                opened += 1
        except Exception:
            logger.exception("quality threshold %s could not be evaluated", threshold_id)
    return opened
