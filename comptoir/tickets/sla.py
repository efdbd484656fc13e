"""A ticket's service-level clocks, computed with the sla engine from the ticket's own history.

The clock pauses while the ticket waits on the customer: the pauses are read from the status
events, so recomputing after any change gives the same answer as following the ticket live.

Warnings and breaches fire from a task scheduled for the next instant that matters
(``sla_next_check_at``), not from polling every ticket; a periodic sweep picks up any task that
was lost. Firing is idempotent: one ``SlaAlert`` row per ticket, target and kind, under a unique
constraint, written in the same transaction as the notifications it sends.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.queries import ROW_ONLY
from comptoir.common.tasks import enqueue_with_change
from comptoir.sla.clock import Deadline
from comptoir.sla.models import SlaPolicy, Target
from comptoir.sla.selectors import policy_criteria, policy_for, sla_deadline

from .changes import ticket_changed
from .models import DUE_NEVER, Message, SlaAlert, Ticket, TicketEvent
from .notifications import staff_alert
from .review import SLA_MISSED, review_reason

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger("comptoir.sla")

TARGET_LABELS: dict[str, StrOrPromise] = {target: target.label for target in Target}


def _pauses(ticket: Ticket) -> list[tuple[datetime, datetime | None]]:
    pauses: list[tuple[datetime, datetime | None]] = []
    started: datetime | None = None
    events = TicketEvent.objects.filter(ticket_id=ticket.pk, field=TicketEvent.Kind.STATUS).order_by("id")
    for event in events.only("new", "created_at"):
        if event.new == Ticket.Status.WAITING_CUSTOMER and started is None:
            started = event.created_at
        elif event.new != Ticket.Status.WAITING_CUSTOMER and started is not None:
            pauses.append((started, event.created_at))
            started = None
    if started is not None:
        pauses.append((started, None))
    return pauses


def _tier(ticket: Ticket) -> str | None:
    customer = ticket.customer
    return customer.tier or None


def _awaiting_answer_since(ticket: Ticket) -> datetime | None:
    """When the customer wrote last, if nobody has answered since the first response."""
    if ticket.first_response_at is None:
        return None
    last = (
        Message.objects.filter(ticket_id=ticket.pk, held_for__isnull=True, hold=Message.Hold.NONE)
        .exclude(kind=Message.Kind.INTERNAL)
        .order_by("-id")
        .values("kind", "created_at", "auto_submitted")
        .first()
    )
    if (
        last is not None
        and last["kind"] == Message.Kind.CUSTOMER
        and not last["auto_submitted"]
        and last["created_at"] > ticket.first_response_at
    ):
        return last["created_at"]
    return None


def _pending(
    ticket: Ticket, policy: SlaPolicy, pauses: list
) -> tuple[dict[str, Deadline], dict[str, datetime]]:
    """Deadlines of the targets still running, and when each one's clock started.

    First response until answered; next response from each customer message left unanswered
    after that; resolution while open.
    """
    deadlines: dict[str, Deadline] = {}
    starts: dict[str, datetime] = {}
    if not ticket.is_open:
        return deadlines, starts
    if ticket.first_response_at is None:
        starts[Target.FIRST_RESPONSE] = ticket.created_at
    else:
        waiting = _awaiting_answer_since(ticket)
        if waiting is not None:
            starts[Target.NEXT_RESPONSE] = waiting
    starts[Target.RESOLUTION] = ticket.created_at
    for target, started in starts.items():
        deadlines[target] = sla_deadline(policy=policy, target=target, started_at=started, pauses=pauses)
    return deadlines, starts


def _next_check(deadlines: dict[str, Deadline], fired: set[tuple[str, str]]) -> datetime | None:
    instants = []
    for target, deadline in deadlines.items():
        if deadline.warning_at and (target, SlaAlert.Kind.WARNING) not in fired:
            instants.append(deadline.warning_at)
        if deadline.due_at and (target, SlaAlert.Kind.BREACH) not in fired:
            instants.append(deadline.due_at)
    return min(instants, default=None)


def _next_warning(deadlines: dict[str, Deadline], fired: set[tuple[str, str]]) -> datetime | None:
    """The next warning still to fire: what the desk and the API show as ``warning_at``."""
    return min(
        (
            d.warning_at
            for t, d in deadlines.items()
            if d.warning_at and (t, SlaAlert.Kind.WARNING) not in fired
        ),
        default=None,
    )


def _fired(ticket: Ticket, starts: dict[str, datetime]) -> set[tuple[str, str]]:
    """(target, kind) already fired for the clocks running now (next response: this cycle only)."""
    rows = SlaAlert.objects.filter(ticket_id=ticket.pk).values_list("target", "kind", "started_at")
    return {
        (target, kind)
        for target, kind, started in rows
        if target != Target.NEXT_RESPONSE or started == starts.get(target)
    }


def _schedule_check(ticket_id: int, when: datetime) -> None:
    from .tasks import sla_check_task

    # With the database backend the worker's SLA pump reads sla_next_check_at through its index
    # (COMPTOIR_SLA_POLL); other backends that can wait get a task for that instant.
    enqueue_with_change(sla_check_task, run_after=when, polled=True, ticket_id=ticket_id)


def _sla_fields(ticket: Ticket, *, new: bool) -> dict:
    """The policy and due-time columns for the ticket as it is now (reads alerts and history)."""
    category = ticket.category.slug if ticket.category is not None else None
    policy = policy_for(priority=ticket.priority, tier=_tier(ticket), category_slug=category)
    fields: dict = {
        "sla_policy": policy, "first_response_due_at": None, "resolution_due_at": None,
        "sla_warning_at": None, "due_at": DUE_NEVER, "sla_next_check_at": None,
    }  # fmt: skip
    if policy is not None and ticket.is_open:
        deadlines, starts = _pending(ticket, policy, [] if new else _pauses(ticket))
        first = deadlines.get(Target.FIRST_RESPONSE)
        fields["first_response_due_at"] = first.due_at if first else None
        fields["resolution_due_at"] = deadlines[Target.RESOLUTION].due_at
        fields["due_at"] = min((d.due_at for d in deadlines.values() if d.due_at), default=DUE_NEVER)
        fired = set() if new else _fired(ticket, starts)
        fields["sla_warning_at"] = _next_warning(deadlines, fired)
        fields["sla_next_check_at"] = _next_check(deadlines, fired)
    return fields


def ticket_sla_start(*, ticket: Ticket) -> None:
    """Start the clocks of a ticket not yet saved: its due-time columns are set on the object, so
    the ticket row is written once, with them. ``ticket.created_at`` is the clocks' start."""
    for name, value in _sla_fields(ticket, new=True).items():
        setattr(ticket, name, value)


def ticket_sla_schedule(*, ticket: Ticket) -> None:
    """Queue the check of a new ticket's next SLA instant with it (see ``ticket_sla_start``)."""
    if ticket.sla_next_check_at is not None:
        _schedule_check(ticket.pk, ticket.sla_next_check_at)


def ticket_sla_fields(*, ticket: Ticket) -> dict:
    """The due-time columns after a change, set on ``ticket``; the caller writes them in its own
    UPDATE of the row. A check is queued with the change when the next instant moved."""
    fields = _sla_fields(ticket, new=False)
    _set_and_schedule(ticket, fields, previous_check=ticket.sla_next_check_at)
    return fields


def _set_and_schedule(ticket: Ticket, fields: dict, *, previous_check: datetime | None) -> None:
    """Set the computed columns on ``ticket``; queue a check when the next instant moved."""
    for name, value in fields.items():
        setattr(ticket, name, value)
    next_check = fields["sla_next_check_at"]
    if next_check is not None and next_check != previous_check:
        _schedule_check(ticket.pk, next_check)


def ticket_sla_refresh(*, ticket: Ticket, new: bool = False) -> Ticket:
    """Choose the policy (priority, customer tier, category) and store due times and the next check.

    Runs inside the caller's transaction. With no matching policy, every clock is cleared. When
    the next instant to check moves, a task is queued for it with the change.
    """
    fields = _sla_fields(ticket, new=new)
    previous_check = None if new else ticket.sla_next_check_at
    policy = fields["sla_policy"]
    unchanged = ticket.sla_policy_id == (policy.pk if policy else None) and all(
        getattr(ticket, name) == value for name, value in fields.items() if name != "sla_policy"
    )
    if new or not unchanged:
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
    _set_and_schedule(ticket, fields, previous_check=previous_check)
    return ticket


def sla_paused(ticket: Ticket) -> bool:
    """Whether the ticket's clocks are stopped because it waits on the customer."""
    return bool(ticket.sla_policy_id and ticket.is_open and ticket.status == Ticket.Status.WAITING_CUSTOMER)


def sla_state(ticket: Ticket) -> dict:
    """What the API and the desk show: due times, the next warning, whether one is missed, whether
    the clock is paused (waiting on the customer) and why this policy applies."""
    now = timezone.now()
    breached = ticket.sla_breached or any(
        due is not None and due < now
        for due in (ticket.first_response_due_at, ticket.resolution_due_at if ticket.is_open else None)
    )
    policy = ticket.sla_policy if ticket.sla_policy_id else None
    return {
        "policy": policy.name if policy else None,
        "policy_reason": (", ".join(policy_criteria(policy)) or _("applies to every ticket"))
        if policy
        else None,
        "paused": sla_paused(ticket),
        "first_response_due": ticket.first_response_due_at,
        "resolution_due": ticket.resolution_due_at,
        "warning_at": ticket.sla_warning_at,
        "breached": breached,
    }


# --- warnings and breaches ---------------------------------------------------------------------


def _recipients(ticket: Ticket) -> list[User]:
    """The assignee and the supervisors of the ticket's team.

    An alert never goes to nobody: without an assignee or team supervisor it goes to every
    supervisor, then to the administrators, and a warning is logged when even those are missing.
    """
    active = User.objects.filter(is_active=True)
    people = {}
    if ticket.team_id is not None:
        people = {u.pk: u for u in active.filter(is_supervisor=True, teams=ticket.team_id)}
    if ticket.assignee is not None and ticket.assignee.is_active:
        people[ticket.assignee.pk] = ticket.assignee
    if not people:
        people = {u.pk: u for u in active.filter(is_supervisor=True)}
    if not people:
        people = {u.pk: u for u in active.filter(is_superuser=True)}
    if not people:
        logger.warning(
            "Staff alert for %s reaches nobody: no assignee, supervisor or administrator", ticket.reference
        )
    return [people[pk] for pk in sorted(people)]


def _notify(ticket: Ticket, *, target: str, kind: str, due: datetime, started: datetime) -> None:
    for user in _recipients(ticket):
        with translation.override(user.language or "en"):
            local_due = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")
            values = {
                "reference": ticket.reference,
                "subject": ticket.subject,
                "target": str(TARGET_LABELS.get(target, target)),
                "due": local_due,
            }
            if kind == SlaAlert.Kind.WARNING:
                subject = _("[%(reference)s] SLA warning: %(target)s due %(due)s") % values
                body = (
                    _(
                        "The ticket %(reference)s (%(subject)s) is close to its %(target)s target, "
                        "due %(due)s. Please act on it now."
                    )
                    % values
                )
            else:
                subject = _("[%(reference)s] SLA target missed: %(target)s") % values
                body = (
                    _(
                        "The ticket %(reference)s (%(subject)s) missed its %(target)s target, due "
                        "%(due)s. It is flagged for review on the desk; this alert goes to its assignee "
                        "and the supervisors."
                    )
                    % values
                )
        staff_alert(
            key=f"sla:{kind}:{target}:{ticket.pk}:{user.pk}:{started:%Y%m%d%H%M%S%f}",
            user=user,
            ticket=ticket,
            subject=subject,
            body=body,
        )


def _fire(
    ticket: Ticket, *, target: str, kind: str, due: datetime, started: datetime, notify: bool
) -> SlaAlert | None:
    try:
        with transaction.atomic():
            alert = SlaAlert.objects.create(
                ticket=ticket, target=target, kind=kind, due_at=due, started_at=started
            )
    except IntegrityError:  # fired already, by another task or the sweep
        return None
    field = "sla_warning" if kind == SlaAlert.Kind.WARNING else "sla_breach"
    TicketEvent.objects.create(ticket=ticket, field=field, old="", new=target)
    if notify:
        _notify(ticket, target=target, kind=kind, due=due, started=started)
    return alert


def _alerts_told(ticket_id: int, alerts: list[SlaAlert]) -> None:
    """Tell the apps registered in ``tickets.changes`` (the desk's notifications, issue 10) which
    alerts were sent: kinds ``sla_warning``/``sla_breach``, values ``[(alert id, target), ...]``.
    A warning recorded late, with its target's breach, was not sent and is not told either."""
    breached = {a.target for a in alerts if a.kind == SlaAlert.Kind.BREACH}
    told: dict[str, list[tuple[int, str]]] = {}
    for alert in alerts:
        if alert.kind == SlaAlert.Kind.WARNING and alert.target in breached:
            continue
        warning = alert.kind == SlaAlert.Kind.WARNING
        kind = TicketEvent.Kind.SLA_WARNING if warning else TicketEvent.Kind.SLA_BREACH
        told.setdefault(kind, []).append((alert.pk, alert.target))
    if told:
        ticket_changed(ticket_id=ticket_id, kinds=list(told), values={k: (None, v) for k, v in told.items()})


@transaction.atomic
def sla_check(*, ticket_id: int, now: datetime | None = None) -> list[SlaAlert]:
    """Fire the warnings and breaches whose instant has come, then schedule the next check.

    Safe to run any number of times, early or late: it only acts on what is due at ``now``.
    """
    now = now or timezone.now()
    ticket = (
        Ticket.objects.select_for_update(of=ROW_ONLY)
        .select_related("customer", "assignee", "sla_policy__calendar")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        return []
    policy = ticket.sla_policy
    if policy is None or not ticket.is_open:
        Ticket.objects.filter(pk=ticket.pk).update(sla_next_check_at=None)
        return []
    deadlines, starts = _pending(ticket, policy, _pauses(ticket))
    fired = _fired(ticket, starts)
    alerts: list[SlaAlert] = []
    missed: list[str] = []
    for target, deadline in deadlines.items():
        due = deadline.due_at
        breach_due = due is not None and due <= now
        warn_due = deadline.warning_at is not None and deadline.warning_at <= now
        # A clock paused after its warning instant has no due time (None): such a warning cannot
        # be recorded (SlaAlert.due_at is required, the insert fails), so it is not attempted.
        if warn_due and due is not None and (target, SlaAlert.Kind.WARNING) not in fired:
            # Late enough that the target is missed too: record the warning, send only the breach.
            alert = _fire(
                ticket, target=target, kind=SlaAlert.Kind.WARNING, due=due,
                started=starts[target], notify=not breach_due,
            )  # fmt: skip
            if alert:
                alerts.append(alert)
                fired.add((target, SlaAlert.Kind.WARNING))
        if breach_due and due is not None and (target, SlaAlert.Kind.BREACH) not in fired:
            alert = _fire(
                ticket, target=target, kind=SlaAlert.Kind.BREACH, due=due,
                started=starts[target], notify=True,
            )  # fmt: skip
            if alert:
                alerts.append(alert)
                fired.add((target, SlaAlert.Kind.BREACH))
                missed.append(str(target))
    _alerts_told(ticket.pk, alerts)
    updates: dict = {"sla_next_check_at": _next_check(deadlines, fired)}
    updates["sla_warning_at"] = _next_warning(deadlines, fired)
    if missed:
        updates["sla_breached"] = True
        if not ticket.review_reason:
            # Target codes, read in each reader's language (review.py).
            updates["review_reason"] = review_reason(SLA_MISSED, ",".join(missed))
            TicketEvent.objects.create(
                ticket=ticket, field="review_reason", old="", new=updates["review_reason"]
            )
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    next_check = updates["sla_next_check_at"]
    # A check that moves nothing schedules nothing: duplicate tasks die out instead of multiplying.
    if next_check is not None and next_check != ticket.sla_next_check_at:
        _schedule_check(ticket.pk, max(next_check, now))
    return alerts


def sla_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Check every ticket whose next instant has passed: catches a task lost to a crash or restart.

    Reads ``sla_next_check_at`` through its index; each ticket is checked in its own transaction.
    """
    now = now or timezone.now()
    ids = list(
        Ticket.objects.filter(Q(sla_next_check_at__lte=now))
        .order_by("sla_next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    fired = 0
    for ticket_id in ids:
        fired += len(sla_check(ticket_id=ticket_id, now=now))
    return fired
