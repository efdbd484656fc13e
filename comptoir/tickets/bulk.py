"""Bulk actions: one change applied to many tickets, each through the one door, with undo.

Every ticket goes through ``services.ticket_update`` (fields) or ``services.ticket_agent_message``
(reply, note), so each is permission-checked on its own (``permissions.ticket_action_check``),
versioned and written in its history exactly as if changed from its page.

**One transaction per ticket**, not one for all: a ticket the actor may not change, or one
somebody else is changing, is refused and reported while the others go through (the summary
says "12 changed, 1 refused: ..."); each short transaction holds the database's write lock
(SQLite's single writer) only for one ticket; and a reply's outbox row commits with its message.
The undo record (``BulkChange``) is written first, and each ticket's ``BulkChangeItem`` (its
values before, its version after) commits with that ticket's change, so undo knows exactly what
was applied, and refuses a ticket whose version moved since (somebody changed it after).

Replies and notes cannot be undone (a reply may already be on its way to the customer): a bulk
reply or note keeps no undo record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import DomainError
from comptoir.routing.models import Team

from .exceptions import Conflict, InvalidInput, NotFound
from .models import BulkChange, BulkChangeItem, Category, Ticket, TicketEvent
from .permissions import ticket_action_check
from .selectors import ticket_visible_to
from .services import event_record, ticket_agent_message, ticket_update

MAX_TICKETS = 100
UNDO_WINDOW = timedelta(minutes=10)
# What a bulk field change may set, and the Ticket attribute holding its value before.
FIELDS = {"status": "status", "priority": "priority", "team": "team_id", "assignee": "assignee_id",
          "category": "category_id"}  # fmt: skip


class Action:
    """The bulk actions (values of the desk's and the API's ``action``)."""

    ASSIGN = "assign"
    TEAM = "team"
    STATUS = "status"
    PRIORITY = "priority"
    CATEGORY = "category"
    CLOSE = "close"
    REPLY = "reply"
    NOTE = "note"
    ACCEPT_TRIAGE = "accept_triage"

    ALL = (ASSIGN, TEAM, STATUS, PRIORITY, CATEGORY, CLOSE, REPLY, NOTE)


@dataclass(frozen=True)
class Companion:
    """What an app keeps beside the ticket's fields for a bulk action of its own, and puts back on
    undo, in the same per-ticket transaction: ``keep(ticket)`` runs before the change and returns
    JSON-ready values; ``restore(ticket, kept)`` runs after the fields are restored. Triage keeps
    a ticket's place in its queue and withdraws the training example an accepted guess taught."""

    keep: Callable[[Ticket], dict[str, Any]]
    restore: Callable[[Ticket, dict[str, Any]], None]


_companions: dict[str, Companion] = {}
KEPT = "_kept"  # the key of a companion's values in ``BulkChangeItem.old``


def on_bulk_action(action: str, *, keep: Callable[[Ticket], dict[str, Any]],
                   restore: Callable[[Ticket, dict[str, Any]], None]) -> None:  # fmt: skip
    """Register what ``action`` keeps and restores besides the fields (from an app's ``ready``)."""
    _companions[action] = Companion(keep=keep, restore=restore)


@dataclass
class BulkResult:
    """What happened to each ticket asked for: changed, already so (unchanged), or refused (why)."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    bulk_id: int | None = None  # set when the change can be undone
    undo_until: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "unchanged": self.unchanged,
            "refused": [{"reference": ref, "reason": reason} for ref, reason in self.refused],
            "undo_id": self.bulk_id,
            "undo_until": self.undo_until,
        }


def _tickets(*, actor: User, references: Sequence[str], result: BulkResult) -> list[Ticket]:
    """The tickets named, in the order given, each once; those the actor cannot see are refused."""
    refs = list(dict.fromkeys(r.strip() for r in references if r and r.strip()))
    if not refs:
        raise InvalidInput(_("Select at least one ticket."), field="ticket")
    if len(refs) > MAX_TICKETS:
        raise InvalidInput(
            _("Select at most %(max)s tickets at a time.") % {"max": MAX_TICKETS}, field="ticket"
        )
    found = {t.reference: t for t in ticket_visible_to(actor=actor).filter(reference__in=refs)}
    for ref in refs:
        if ref not in found:
            result.refused.append((ref, _("No such ticket.")))
    return [found[ref] for ref in refs if ref in found]


def _as_written(body: str) -> Callable[[Ticket], str]:
    """The text as written for every ticket: placeholders are the callers' (``text_for``), filled
    by the macros' one engine (``macros.placeholders``), a layer above this one."""
    return lambda _ticket: body


def _old_values(ticket: Ticket, changes: dict[str, Any]) -> dict[str, Any]:
    return {name: getattr(ticket, FIELDS[name]) for name in changes}


def _apply_fields(
    *, actor: User, tickets: list[Ticket], changes_for: Callable[[Ticket], dict[str, Any]], action: str,
    result: BulkResult,
) -> BulkResult:  # fmt: skip
    bulk = BulkChange.objects.create(actor=actor, action=action)
    companion = _companions.get(action)
    for ticket in tickets:
        try:
            with transaction.atomic():
                current = Ticket.objects.select_for_update().get(pk=ticket.pk)
                changes = changes_for(current)
                old = _old_values(current, changes)
                if companion is not None:
                    old[KEPT] = companion.keep(current)
                updated = ticket_update(ticket_id=current.pk, actor=actor, version=current.version, **changes)
                if updated.version == current.version:
                    result.unchanged.append(ticket.reference)
                    continue
                BulkChangeItem.objects.create(
                    bulk=bulk, ticket_id=current.pk, old=old, version=updated.version
                )
        except DomainError as exc:
            result.refused.append((ticket.reference, exc.message))
        else:
            result.changed.append(ticket.reference)
    if result.changed:
        result.bulk_id, result.undo_until = bulk.pk, bulk.created_at + UNDO_WINDOW
    else:
        BulkChange.objects.filter(pk=bulk.pk).delete()
    return result


def _message_each(
    *,
    actor: User,
    tickets: list[Ticket],
    text_for: Callable[[Ticket], str],
    internal: bool,
    submission: str,
    result: BulkResult,
) -> BulkResult:
    action = "note" if internal else "reply"
    role_error = _("You may not add notes.") if internal else _("You may not reply to customers.")
    for ticket in tickets:
        try:
            ticket_action_check(actor=actor, ticket=ticket, action=action, role_error=role_error)
            key = f"bulk:{actor.pk}:{submission}:{ticket.pk}" if submission else None
            ticket_agent_message(
                ticket_id=ticket.pk, actor=actor, body=text_for(ticket), internal=internal,
                idempotency_key=key,
            )  # fmt: skip
        except DomainError as exc:
            result.refused.append((ticket.reference, exc.message))
        else:
            result.changed.append(ticket.reference)
    return result


def tickets_bulk(
    *,
    actor: User,
    references: Sequence[str],
    action: str,
    assignee: User | None | object = ...,
    team: Team | None | object = ...,
    status: str | None = None,
    priority: str | None = None,
    category: Category | None | object = ...,
    body: str = "",
    submission: str = "",
    text_for: Callable[[Ticket], str] | None = None,
) -> BulkResult:
    """Apply one ``action`` (``Action``) to at most ``MAX_TICKETS`` tickets, each on its own.

    ``submission`` (a random token of the form) makes a repeated bulk reply or note land once.
    ``text_for(ticket)``: each ticket's reply or note (a macro in the ticket's language, its
    placeholders filled); without it, ``body`` as written.
    """
    changes: dict[str, Any]
    if action == Action.ASSIGN and assignee is not ...:
        changes = {"assignee": assignee}
    elif action == Action.TEAM and team is not ...:
        changes = {"team": team}
    elif action == Action.STATUS and status:
        if status not in Ticket.Status.values:
            raise InvalidInput(_("Unknown status."), field="status")
        changes = {"status": status}
    elif action == Action.PRIORITY and priority:
        if priority not in Ticket.Priority.values:
            raise InvalidInput(_("Unknown priority."), field="priority")
        changes = {"priority": priority}
    elif action == Action.CATEGORY and category is not ...:
        changes = {"category": category}
    elif action == Action.CLOSE:
        changes = {"status": Ticket.Status.CLOSED}
    elif action in (Action.REPLY, Action.NOTE):
        if text_for is None and not (body or "").strip():
            raise InvalidInput(_("Write the text to send."), field="body")
        result = BulkResult()
        tickets = _tickets(actor=actor, references=references, result=result)
        return _message_each(
            actor=actor, tickets=tickets, text_for=text_for or _as_written(body),
            internal=action == Action.NOTE, submission=submission, result=result,
        )  # fmt: skip
    elif action in Action.ALL:
        raise InvalidInput(_("Choose the value to set."), field=action)
    else:
        raise InvalidInput(_("Unknown action."), field="action")
    result = BulkResult()
    tickets = _tickets(actor=actor, references=references, result=result)
    return _apply_fields(
        actor=actor, tickets=tickets, changes_for=lambda _t: changes, action=action, result=result
    )


def tickets_bulk_fields(
    *, actor: User, references: Sequence[str], action: str, changes_for: Callable[[Ticket], dict[str, Any]]
) -> BulkResult:
    """A bulk change whose values differ per ticket (``changes_for(ticket)``: the fields of
    ``ticket_update`` to set, e.g. each ticket's triage guess), undoable like the others."""
    result = BulkResult()
    tickets = _tickets(actor=actor, references=references, result=result)
    return _apply_fields(actor=actor, tickets=tickets, changes_for=changes_for, action=action, result=result)


def _restored(old: dict[str, Any]) -> dict[str, Any]:
    """``ticket_update`` arguments from the values kept before a bulk change."""
    values: dict[str, Any] = {}
    for name, value in old.items():
        if name in ("status", "priority"):
            values[name] = value
        elif name == "team":
            values[name] = Team.objects.filter(pk=value).first() if value else None
        elif name == "assignee":
            values[name] = User.objects.filter(pk=value).first() if value else None
        elif name == "category":
            values[name] = Category.objects.filter(pk=value).first() if value else None
    return values


def bulk_undo(*, actor: User, bulk_id: int) -> BulkResult:
    """Put back what one of the actor's bulk changes changed, within ``UNDO_WINDOW``.

    A ticket changed since (its version moved) is refused and left as it is now: undo never
    overwrites somebody else's later work. The restore goes through ``ticket_update`` again, so
    it is permission-checked and written in the history, with an "undone" entry.
    """
    bulk = BulkChange.objects.filter(pk=bulk_id, actor=actor).first()
    if bulk is None:
        raise NotFound(_("There is no such change to undo."))
    if bulk.created_at + UNDO_WINDOW < timezone.now():
        raise Conflict(
            _("This change is too old to undo (undo is possible for %(minutes)s minutes).")
            % {"minutes": int(UNDO_WINDOW.total_seconds() // 60)}
        )
    # Claimed once: a second click (or a concurrent one) finds it undone.
    if not BulkChange.objects.filter(pk=bulk.pk, undone_at__isnull=True).update(undone_at=timezone.now()):
        raise Conflict(_("This change was already undone."))
    result = BulkResult()
    companion = _companions.get(bulk.action)
    for item in BulkChangeItem.objects.filter(bulk=bulk).select_related("ticket").order_by("id"):
        reference = item.ticket.reference
        try:
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().get(pk=item.ticket_id)
                if ticket.version != item.version:
                    raise Conflict(_("Changed since by someone else: left as it is."))
                ticket_update(ticket_id=ticket.pk, actor=actor, version=ticket.version, **_restored(item.old))
                event_record(
                    ticket=ticket, actor=actor, field=TicketEvent.Kind.UNDONE, old="", new=bulk.action
                )
                if companion is not None and KEPT in item.old:
                    companion.restore(ticket, item.old[KEPT])
        except DomainError as exc:
            result.refused.append((reference, exc.message))
        else:
            result.changed.append(reference)
    return result
