"""Snooze: a ticket leaves the active lists until a date and time, then comes back on its own.

``snoozed_until`` is set on the ticket (the queue and next-ticket leave such tickets out);
``snooze_wake_due``, a periodic job registered in ``TicketsConfig.ready`` (``common.jobs``, as
the SLA sweep), wakes the tickets whose time has come; a customer's message wakes it early
(``services._customer_words``). The history records the snooze and the wake, with why it woke.
The service-level clocks keep running while a ticket sleeps: snoozing does not buy time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User

from .exceptions import Conflict, InvalidInput
from .models import Ticket, TicketEvent
from .permissions import ticket_action_check
from .services import event_record, ticket_change

MAX_SNOOZE = timedelta(days=366)
WAKE_BATCH = 500


class WakeReason:
    """Why a ticket woke (the event's value; ``history`` puts it in words)."""

    DUE = "due"
    CUSTOMER = "customer"
    AGENT = "agent"


@transaction.atomic
def ticket_snooze(*, actor: User, ticket_id: int, until: datetime) -> Ticket:
    """Hide an open ticket from the active lists until ``until`` (an aware date and time)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    ticket_action_check(
        actor=actor, ticket=ticket, action="change", role_error=_("You may not snooze tickets.")
    )
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    now = timezone.now()
    if until <= now:
        raise InvalidInput(_("Choose a time in the future."), field="until")
    if until > now + MAX_SNOOZE:
        raise InvalidInput(_("A ticket can be snoozed for a year at most."), field="until")
    if not ticket.is_open:
        raise Conflict(_("Only an open ticket can be snoozed."))
    event_record(ticket=ticket, actor=actor, field=TicketEvent.Kind.SNOOZED, old="", new=until.isoformat())
    return ticket_change(ticket=ticket, actor=actor, changes={}, also={"snoozed_until": until})


def snooze_end_fields(*, ticket: Ticket, actor: User | None, reason: str) -> dict:
    """Record that a snoozed ticket wakes; returns the ``also`` columns for the caller's
    ``ticket_change`` (so a customer's reply wakes it in the same write). Nothing when awake."""
    if ticket.snoozed_until is None:
        return {}
    event_record(ticket=ticket, actor=actor, field=TicketEvent.Kind.WOKE, old="", new=reason)
    return {"snoozed_until": None}


@transaction.atomic
def ticket_wake(*, actor: User | None, ticket_id: int, reason: str = WakeReason.AGENT) -> Ticket:
    """Bring a snoozed ticket back now (an agent's "Wake now", or the job when its time came)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    if actor is not None:
        ticket_action_check(
            actor=actor, ticket=ticket, action="change", role_error=_("You may not snooze tickets.")
        )
    also = snooze_end_fields(ticket=ticket, actor=actor, reason=reason)
    if not also:
        return ticket
    return ticket_change(ticket=ticket, actor=actor, changes={}, also=also)


def snooze_wake_due(*, now: datetime | None = None) -> int:
    """The periodic job: wake every ticket whose snooze has ended; returns how many woke.

    Each ticket wakes in its own transaction, re-checked under its lock, so running the job twice
    at once, or after an agent woke the ticket, wakes nothing twice."""
    now = now or timezone.now()
    ids = list(
        Ticket.objects.filter(snoozed_until__lte=now)
        .order_by("snoozed_until")
        .values_list("pk", flat=True)[:WAKE_BATCH]
    )
    woke = 0
    for pk in ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=pk)
            if ticket.snoozed_until is None or ticket.snoozed_until > now:
                continue
            if not ticket.is_open:
                # Closed while asleep: nothing comes back to the lists, nothing to tell.
                Ticket.objects.filter(pk=pk).update(snoozed_until=None)
                continue
            also = snooze_end_fields(ticket=ticket, actor=None, reason=WakeReason.DUE)
            ticket_change(ticket=ticket, actor=None, changes={}, also=also)
            woke += 1
    return woke
