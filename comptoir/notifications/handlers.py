"""From ticket changes to notifications: who should know, never the actor, only who may see it.

Registered in ``NotificationsConfig.ready`` with ``tickets.changes.on_change(..., AFTER_COMMIT)``.
Each handler reads the ``Change`` (its kinds and values, see ``tickets.services.ticket_change``
and its ``events``) and notifies once per event (the notification's key).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from comptoir.accounts.models import User
from comptoir.tickets.changes import CUSTOMER_MESSAGE, Change
from comptoir.tickets.models import Message, Ticket, TicketEvent

from .models import Notification
from .selectors import may_see
from .services import notification_create

logger = logging.getLogger("comptoir.notifications")


def _ticket(change: Change) -> Ticket | None:
    return Ticket.objects.select_related("assignee", "customer").filter(pk=change.ticket_id).first()


def _send(
    people: Iterable[User | None], change: Change, ticket: Ticket, *, kind: str, key: str,
    actor_label: str = "", detail: str = "", collapse: bool = False,
) -> None:  # fmt: skip
    """Notify each person once, except the one who acted and anyone who may not see the ticket."""
    seen: set[int] = set()
    for user in people:
        if user is None or user.pk in seen or user.pk == change.actor_id or not user.is_active:
            continue
        seen.add(user.pk)
        if not may_see(user=user, ticket_id=ticket.pk):
            continue
        notification_create(
            recipient=user, kind=kind, ticket=ticket, key=key, actor_label=actor_label, detail=detail,
            collapse=collapse,
        )  # fmt: skip


def _actor_label(change: Change) -> str:
    if change.actor_id is None:
        return ""
    actor = User.objects.filter(pk=change.actor_id).only("name", "email").first()
    return (actor.name or actor.email) if actor else ""


def customer_answered(change: Change) -> None:
    """A customer's message on a ticket: its assignee is told."""
    message_id = change.values[CUSTOMER_MESSAGE][1]
    ticket = _ticket(change)
    if ticket is None or ticket.assignee is None:
        return
    label = ticket.customer.name if ticket.customer_id else ""
    _send(
        [ticket.assignee], change, ticket, kind=Notification.Kind.CUSTOMER_REPLY,
        key=f"customer:{message_id}", actor_label=label, collapse=True,
    )  # fmt: skip


def assigned(change: Change) -> None:
    """Someone (an agent, a supervisor, auto-assignment) gave the ticket to an agent."""
    new = change.values.get(TicketEvent.Kind.ASSIGNEE, (None, None))[1]
    if not isinstance(new, User):
        return
    ticket = _ticket(change)
    if ticket is None or ticket.assignee_id != new.pk:  # already given to someone else
        return
    version = ticket.version
    _send(
        [new], change, ticket, kind=Notification.Kind.ASSIGNED,
        key=f"assigned:{ticket.pk}:{version}", actor_label=_actor_label(change),
    )  # fmt: skip


def escalated(change: Change) -> None:
    """An escalation: to level 2, the receiving team's members; to a supervisor, the supervisors
    of the ticket's team (every supervisor when the team has none)."""
    event_id, text = change.values[TicketEvent.Kind.ESCALATION][1]
    ticket = _ticket(change)
    if ticket is None:
        return
    to_supervisor = str(text).startswith("supervisor")
    active = User.objects.filter(is_active=True)
    if to_supervisor:
        people = list(active.filter(is_supervisor=True, teams=ticket.team_id)) if ticket.team_id else []
        people = people or list(active.filter(is_supervisor=True))
    else:
        people = list(active.filter(is_agent=True, teams=ticket.team_id)) if ticket.team_id else []
    reason = str(text).split(": ", 1)[-1]
    _send(
        people, change, ticket, kind=Notification.Kind.ESCALATED, key=f"escalation:{event_id}",
        actor_label=_actor_label(change), detail=reason,
    )  # fmt: skip


def reply_held(change: Change) -> None:
    """A junior's public reply waits for their senior's approval: the senior is told."""
    message_id = change.values[TicketEvent.Kind.REPLY_HELD][1]
    message = Message.objects.select_related("held_for").filter(pk=message_id).first()
    ticket = _ticket(change)
    if message is None or ticket is None or message.held_for is None:
        return
    _send(
        [message.held_for], change, ticket, kind=Notification.Kind.APPROVAL,
        key=f"approval:{message_id}", actor_label=_actor_label(change),
    )  # fmt: skip


def _sla_people(ticket: Ticket) -> list[User]:
    """The assignee and the supervisors of the ticket's team; without an assignee, the team's
    agents (someone must take it)."""
    active = User.objects.filter(is_active=True)
    people: list[User] = []
    if ticket.assignee is not None:
        people.append(ticket.assignee)
    if ticket.team_id is not None:
        people += list(active.filter(is_supervisor=True, teams=ticket.team_id))
        if ticket.assignee is None:
            people += list(active.filter(is_agent=True, teams=ticket.team_id))
    return people


def _sla(kind: str, notification_kind: str) -> Callable[[Change], None]:
    def handler(change: Change) -> None:
        alerts = change.values[kind][1]  # [(alert id, target), ...] that were sent (tickets.sla)
        ticket = _ticket(change)
        if ticket is None:
            return
        for alert_id, target in alerts:
            _send(
                _sla_people(ticket), change, ticket, kind=notification_kind,
                key=f"sla:{alert_id}", detail=str(target),
            )  # fmt: skip

    handler.__name__ = f"sla_{kind}"
    return handler


HANDLERS: list[tuple[set[str], Callable[[Change], None]]] = [
    ({CUSTOMER_MESSAGE}, customer_answered),
    ({TicketEvent.Kind.ASSIGNEE}, assigned),
    ({TicketEvent.Kind.ESCALATION}, escalated),
    ({TicketEvent.Kind.REPLY_HELD}, reply_held),
    ({TicketEvent.Kind.SLA_WARNING}, _sla(TicketEvent.Kind.SLA_WARNING, Notification.Kind.SLA_WARNING)),
    ({TicketEvent.Kind.SLA_BREACH}, _sla(TicketEvent.Kind.SLA_BREACH, Notification.Kind.SLA_BREACH)),
]
