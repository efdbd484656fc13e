"""What an actor may do on a ticket: the one answer the desk's pages, the API and the services share.

Before issue 9 the desk template, the desk views and the services each decided this on their own
and disagreed (a level-2 ticket offered no escalation to a supervisor although the service and
the API allowed it; an administrator without the agent flag was shown buttons the service then
refused). Each flag here is "allowed now": the role permits it and the ticket's state lets it
happen, so a page shows exactly the buttons that would succeed. A service asks
``ticket_action_refused`` why a flag is false: ``PermissionDenied`` (403) when the role forbids
it, ``Conflict`` (409) when only the ticket's state does.

Rules (role first, then state):

- staff: an active agent or administrator (``is_superuser``); anyone else, customers included, may
  do nothing here (``ticket_visible_to`` shows them no ticket).
- view, reply, note, change (status, priority, team, category), review a held email: staff.
- assign (choose who holds the ticket): staff with the pick permission (``User.may_pick``: its
  explicit setting, else level 2, supervisors and administrators).
- Working a ticket needs the agent flag (``assignment`` services): pick (pick permission; the
  ticket open and unassigned), skip (the ticket is the actor's), escalate (open, level 1),
  escalate to a supervisor (open, any level), de-escalate (``User.may_deescalate``: level 2,
  supervisors, administrators; the ticket at level 2).
- approve a held reply: the paired senior it waits for, or anyone who supervises
  (``User.supervises``); see ``TicketActions.approves``.
- clear a review flag (mark the ticket reviewed: an escalation to a supervisor handled, a
  warning read): anyone who supervises, on a flagged ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal, TypeGuard

from django.contrib.auth.models import AnonymousUser

from comptoir.accounts.models import User
from comptoir.common.exceptions import Conflict, PermissionDenied

from .models import Message, Ticket


@dataclass(frozen=True)
class TicketActions:
    """Booleans a template reads as ``actions.pick``; the API serialises them as they are."""

    view: bool = False
    reply: bool = False
    note: bool = False
    change: bool = False
    assign: bool = False
    pick: bool = False
    skip: bool = False
    escalate: bool = False
    escalate_to_supervisor: bool = False
    deescalate: bool = False
    approve_any_reply: bool = False
    review_held: bool = False
    clear_flag: bool = False
    actor_id: int | None = None

    def approves(self, message: Message) -> bool:
        """Whether this actor may approve (release) ``message``, a reply held for a senior."""
        if not self.view or message.held_for_id is None:
            return False
        return self.approve_any_reply or message.held_for_id == self.actor_id

    def as_dict(self) -> dict[str, bool]:
        """The flags alone (no actor id), for the API."""
        return {name: value for name, value in self.__dict__.items() if name != "actor_id"}


NOTHING = TicketActions()
FLAGS = tuple(f.name for f in fields(TicketActions) if f.name != "actor_id")


def _role_allows(actor: User, ticket: Ticket) -> dict[str, bool]:
    """What the actor's role (and their relation to the ticket) permits: refused, a 403."""
    agent = bool(actor.is_agent)
    return {
        **dict.fromkeys(("view", "reply", "note", "change", "review_held"), True),
        "assign": actor.may_pick,
        "pick": agent and actor.may_pick,
        "skip": agent and ticket.assignee_id == actor.pk,
        "escalate": agent,
        "escalate_to_supervisor": agent,
        "deescalate": agent and actor.may_deescalate,
        "approve_any_reply": actor.supervises,
        "clear_flag": actor.supervises,
    }


def _state_allows(ticket: Ticket) -> dict[str, bool]:
    """What the ticket's state lets happen, whoever asks: refused, a 409."""
    return {
        "pick": ticket.is_open and ticket.assignee_id is None,
        "escalate": ticket.is_open and ticket.level == Ticket.Level.L1,
        "escalate_to_supervisor": ticket.is_open,
        "deescalate": ticket.level == Ticket.Level.L2,
        "clear_flag": bool(ticket.review_reason),
    }


def _staff(actor: User | AnonymousUser | None) -> TypeGuard[User]:
    """An active agent or administrator; customers and anonymous visitors are not."""
    if actor is None or not actor.is_active:
        return False
    return bool(getattr(actor, "is_agent", False)) or actor.is_superuser


def ticket_actions(*, actor: User | AnonymousUser | None, ticket: Ticket) -> TicketActions:
    """What ``actor`` (a user, anonymous or ``None``) may do on ``ticket`` now. No query."""
    if not _staff(actor):
        return NOTHING
    role, state = _role_allows(actor, ticket), _state_allows(ticket)
    return TicketActions(**{name: role[name] and state.get(name, True) for name in FLAGS}, actor_id=actor.pk)


def ticket_action_refused(
    *, actor: User | AnonymousUser | None, ticket: Ticket, action: str
) -> Literal["role", "state"] | None:
    """Why ``action`` (a ``TicketActions`` flag) is refused, for a service to raise the right error:
    ``"role"`` (``PermissionDenied``, 403), ``"state"`` (``Conflict``, 409), ``None`` when allowed.
    The role is checked first, so nobody learns about the state of what they may not do."""
    if action not in FLAGS:
        raise ValueError(action)
    if not _staff(actor):
        return "role"
    if not _role_allows(actor, ticket)[action]:
        return "role"
    return None if _state_allows(ticket).get(action, True) else "state"


def ticket_action_check(
    *, actor: User | AnonymousUser | None, ticket: Ticket, action: str, role_error: str, state_error: str = ""
) -> None:
    """Raise what a service answers when ``action`` is refused: ``PermissionDenied`` with
    ``role_error`` when the actor's role forbids it, ``Conflict`` with ``state_error`` when only
    the ticket's state does. The same rule the desk's buttons and the API's ``actions`` show."""
    refused = ticket_action_refused(actor=actor, ticket=ticket, action=action)
    if refused == "role":
        raise PermissionDenied(role_error)
    if refused == "state":
        raise Conflict(state_error or role_error)
