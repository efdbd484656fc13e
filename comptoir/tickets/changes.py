"""What follows a ticket change: one registry that each app fills from its ``AppConfig.ready``.

Every service that changes a ticket ends with ``ticket_changed``; apps attach what must follow
without the ticket services knowing them, and without importing each other:

- ``on_change(kinds, handler, when=...)``: ``IN_TRANSACTION`` handlers run inside the change's
  transaction, so what they write commits or rolls back with it (training examples from an
  agent's correction); ``AFTER_COMMIT`` handlers run once it is committed (notifications to
  people, later surveys and metrics), and a failure there is logged, never undoes the change.
- ``enricher(name, step, order)``: the analysis of a new ticket that intake leaves to the worker
  (the classifier's category and team, auto-assignment, key-account alerts; later sentiment,
  similar cases, incident links). ``tickets.enrichment`` runs them in order after intake's commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from .models import Message, Ticket

logger = logging.getLogger("comptoir.tickets")


# A kind no history row carries: a customer's message joined the ticket (its value: the message
# id). Every other kind is a ``TicketEvent.Kind`` value.
CUSTOMER_MESSAGE = "customer_message"
# An agent's public reply or internal note was written (its value: the message id); a reply
# held for approval says ``reply_held`` instead.
AGENT_MESSAGE = "agent_message"


class When(Enum):
    IN_TRANSACTION = "in_transaction"
    AFTER_COMMIT = "after_commit"


@dataclass(frozen=True)
class Change:
    """One change of one ticket: which kinds of event it wrote (``TicketEvent.Kind`` values),
    with the old and new values of the fields that changed, and who made it."""

    ticket_id: int
    kinds: frozenset[str]
    actor_id: int | None = None
    values: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # A new ticket and its first message as ``ticket_create`` has just written them (None for
    # other changes): handlers read them instead of selecting the rows again.
    ticket: Ticket | None = None
    message: Message | None = None


Handler = Callable[[Change], None]
Enricher = Callable[["Ticket", dict], str]

_handlers: list[tuple[frozenset[str] | None, Handler, When]] = []
_enrichers: dict[str, tuple[int, Enricher]] = {}


def on_change(kinds: Iterable[str] | None, handler: Handler, *, when: When = When.AFTER_COMMIT) -> None:
    """Run ``handler`` after every change writing one of ``kinds`` (None: every change)."""
    entry = (frozenset(kinds) if kinds is not None else None, handler, when)
    if entry not in _handlers:
        _handlers.append(entry)


def enricher(name: str, step: Enricher, *, order: int) -> None:
    """Add a step to new tickets' analysis; it returns a line saying what it did ("" if nothing)."""
    _enrichers[name] = (order, step)


def enrichers() -> list[tuple[str, Enricher]]:
    return [(name, step) for name, (_order, step) in sorted(_enrichers.items(), key=lambda i: i[1][0])]


def ticket_changed(
    *,
    ticket_id: int,
    kinds: Iterable[str],
    actor_id: int | None = None,
    values: dict | None = None,
    ticket: Ticket | None = None,
    message: Message | None = None,
) -> None:
    """Tell the registered handlers; call inside the transaction that made the change."""
    change = Change(
        ticket_id=ticket_id, kinds=frozenset(kinds), actor_id=actor_id, values=values or {},
        ticket=ticket, message=message,
    )  # fmt: skip
    later = []
    for wanted, handler, when in _handlers:
        if wanted is not None and not wanted & change.kinds:
            continue
        if when is When.IN_TRANSACTION:
            handler(change)
        else:
            later.append(handler)
    if later:
        transaction.on_commit(lambda: _after_commit(change, later))


def _after_commit(change: Change, handlers: list[Handler]) -> None:
    for handler in handlers:
        try:
            handler(change)
        except Exception:  # the change is committed; one handler's failure must not hide the others
            logger.exception("after-change handler %s failed on ticket %s", handler, change.ticket_id)
