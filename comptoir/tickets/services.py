"""Ticket writes. Each service is one transaction that also writes the ticket's history."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.queries import ROW_ONLY
from comptoir.customers.models import Customer
from comptoir.routing.models import Team

from . import notifications, review
from .changes import AGENT_MESSAGE, CUSTOMER_MESSAGE, ticket_changed
from .exceptions import Conflict, InvalidInput, PermissionDenied
from .files import IncomingFile, validate_file
from .models import Attachment, Category, ConfigurationItem, Message, Ticket, TicketEvent
from .permissions import ticket_action_check, ticket_actions
from .sanitize import sanitize_html
from .sla import ticket_sla_fields, ticket_sla_schedule, ticket_sla_start

MAX_BODY = 100_000


def _label(actor: User | None, customer: Customer | None = None) -> str:
    if actor is not None:
        return actor.name or actor.email
    if customer is not None:
        return customer.name or _("Customer")
    return ""  # shown as "System", in the reader's language


def _event(
    ticket: Ticket, actor: User | None, field: str, old: Any, new: Any, label: str = ""
) -> TicketEvent:
    """An event not yet saved (``event_record`` saves one; ``ticket_create`` saves several at once)."""
    return TicketEvent(
        ticket=ticket,
        actor=actor,
        actor_label=label or _label(actor),
        field=field,
        old="" if old is None else str(old),
        new="" if new is None else str(new),
    )


def event_record(
    *, ticket: Ticket, actor: User | None, field: str, old: Any, new: Any, label: str = ""
) -> TicketEvent:
    event = _event(ticket, actor, field, old, new, label)
    event.save(force_insert=True)
    return event


def _validate_files(files: Sequence[IncomingFile]) -> list[tuple[IncomingFile, str, str, str]]:
    if len(files) > 10:
        raise InvalidInput(_("Attach at most 10 files."), field="attachment")
    return [(f, *validate_file(f)) for f in files]


def _store_attachments(
    *, ticket: Ticket, message: Message, checked: list[tuple[IncomingFile, str, str, str]]
) -> list[Attachment]:
    stored = []
    for upload, name, content_type, digest in checked:
        att = Attachment(
            ticket=ticket,
            message=message,
            filename=name,
            content_type=content_type,
            size=len(upload.content),
            sha256=digest,
        )
        att.file.save("upload", ContentFile(upload.content), save=False)
        att.save()
        stored.append(att)
    return stored


def _clean_text(text: str, *, field: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise InvalidInput(_("This field is required."), field=field)
    if len(text) > MAX_BODY:
        raise InvalidInput(_("The message is too long."), field=field)
    return text


def ticket_create(
    *,
    customer: Customer,
    subject: str,
    body: str,
    channel: str,
    language: str,
    body_html: str = "",
    files: Sequence[IncomingFile] = (),
    priority: str = Ticket.Priority.P3,
    team: Team | None = None,
    category: Category | None = None,
    actor: User | None = None,
    external_id: str = "",
    auto_submitted: bool = False,
    triage_note: str = "",
    analysing: bool = False,
) -> tuple[Ticket, Message]:
    """Open a ticket with its first customer message. Runs inside intake's transaction.

    ``triage_note`` says why the category, team and priority were chosen; it goes in the history.
    ``analysing``: the worker's enrichment is queued and will finish the triage.
    """
    subject = " ".join((subject or "").replace("\x00", "").split())[:255]
    if not subject:
        raise InvalidInput(_("This field is required."), field="subject")
    body = _clean_text(body, field="body")
    checked = _validate_files(files)
    # No savepoint: intake's transaction holds this, and any failure aborts it whole.
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        pk = _next_ticket_id()
        ticket = Ticket(
            pk=pk, reference=f"CPT-{pk:06d}", subject=subject, customer=customer, channel=channel,
            language=language, priority=priority, team=team, category=category, created_at=now,
            updated_at=now, analysing=analysing,
        )  # fmt: skip
        ticket_sla_start(ticket=ticket)
        # raw: the row is written once, as built, with created_at being the SLA clocks' start.
        ticket.save_base(raw=True, force_insert=True)
        ticket._state.adding = False
        ticket_sla_schedule(ticket=ticket)
        message = Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.CUSTOMER,
            author=actor,  # an agent who logged it for the customer (a call), else nobody
            channel=channel,
            body=body,
            body_html=sanitize_html(body_html) if body_html else "",
            external_id=external_id,
            auto_submitted=auto_submitted,
        )
        stored = _store_attachments(ticket=ticket, message=message, checked=checked)
        label = _label(actor, customer)
        events = [_event(ticket, actor, TicketEvent.Kind.CREATED, "", channel, label)]
        if triage_note:
            events.append(_event(ticket, None, TicketEvent.Kind.TRIAGE, "", triage_note[:500], ""))
        events += [_event(ticket, actor, TicketEvent.Kind.ATTACHMENT, "", a.filename, label) for a in stored]
        TicketEvent.objects.bulk_create(events)
        # A new ticket is a change too: what counts tickets (the desk's views) sees it arrive.
        ticket_changed(
            ticket_id=pk, kinds=[TicketEvent.Kind.CREATED], actor_id=actor.pk if actor else None,
            ticket=ticket, message=message,
        )  # fmt: skip
    return ticket, message


def _next_ticket_id() -> int:
    """The id the next ticket gets, taken before its insert so the row is written once.

    The reference follows the id (unique on every database without a lock): PostgreSQL hands out
    the identity sequence's next value; SQLite, whose transactions here start with the write
    lock held (``BEGIN IMMEDIATE``), reads its AUTOINCREMENT counter, which no other writer can
    move before our commit.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence('tickets_ticket', 'id'))")
            return int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT MAX(n) FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = 'tickets_ticket'"
            " UNION ALL SELECT MAX(id) FROM tickets_ticket)"
        )
        return int(cursor.fetchone()[0] or 0) + 1


@transaction.atomic
def ticket_customer_reply(
    *,
    ticket: Ticket,
    body: str,
    channel: str,
    files: Sequence[IncomingFile] = (),
    external_id: str = "",
    auto_submitted: bool = False,
    author: User | None = None,
    body_html: str = "",
    hold_reason: str = "",
) -> Message:
    """A customer writes on their ticket: the message joins it and a closed-ish ticket reopens.

    With ``hold_reason`` (an email whose sender nothing proves) the message is kept but held: not
    shown to the customer, no reopening, no clock, the ticket flagged until an agent decides
    (``message_review``).
    """
    body = _clean_text(body, field="body")
    checked = _validate_files(files)
    # The customer comes with the locked row: the history line names them (one statement, not two).
    ticket = Ticket.objects.select_related("customer").select_for_update(of=ROW_ONLY).get(pk=ticket.pk)
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.CUSTOMER,
        channel=channel,
        body=body,
        body_html=sanitize_html(body_html) if body_html else "",
        external_id=external_id,
        auto_submitted=auto_submitted,
        author=author,
        hold=Message.Hold.UNPROVEN if hold_reason else Message.Hold.NONE,
        hold_reason=hold_reason[:200],
    )
    stored = _store_attachments(ticket=ticket, message=message, checked=checked)
    label = _label(author, ticket.customer)
    if hold_reason:
        event_record(ticket=ticket, actor=None, field=TicketEvent.Kind.MESSAGE_HELD, old="", new=message.pk)
        ticket_change(ticket=ticket, actor=None, changes={"review_reason": hold_reason[:200]}, touch=True)
    else:
        _customer_words(ticket=ticket, author=author, auto_submitted=auto_submitted, label=label)
        _message_told(ticket=ticket, message=message, actor=author)
    for att in stored:
        event_record(
            ticket=ticket,
            actor=author,
            field=TicketEvent.Kind.ATTACHMENT,
            old="",
            new=att.filename,
            label=label,
        )
    return message


def _customer_words(*, ticket: Ticket, author: User | None, auto_submitted: bool, label: str) -> None:
    """What a customer's message does to its ticket: reopen it, or start the next-response clock;
    a snoozed ticket wakes up (issue 10)."""
    from .snooze import WakeReason, snooze_end_fields  # snooze imports this module

    woke = {} if auto_submitted else snooze_end_fields(ticket=ticket, actor=None, reason=WakeReason.CUSTOMER)
    if ticket.status in (Ticket.Status.WAITING_CUSTOMER, Ticket.Status.RESOLVED) and not auto_submitted:
        ticket_change(
            ticket=ticket, actor=author, changes={"status": Ticket.Status.OPEN}, label=label, also=woke
        )
    else:
        # After the first answer, the customer's message starts the next-response clock.
        starts_clock = not auto_submitted and ticket.first_response_at is not None
        ticket_change(
            ticket=ticket, actor=author, changes={}, label=label, touch=True, refresh_sla=starts_clock,
            also=woke,
        )  # fmt: skip


def _message_told(*, ticket: Ticket, message: Message, actor: User | None) -> None:
    """Tell the apps that a customer's message joined the ticket (no history row says it): the
    assignee's notification (issue 10). Not for held messages, until accepted."""
    if not message.auto_submitted:
        ticket_changed(
            ticket_id=ticket.pk, kinds=[CUSTOMER_MESSAGE], actor_id=actor.pk if actor else None,
            values={CUSTOMER_MESSAGE: (None, message.pk)},
        )  # fmt: skip


@transaction.atomic
def message_review(*, actor: User, ticket_id: int, message_id: int, accept: bool) -> Message:
    """An agent decides on a message held because nothing proved its sender.

    Accepted, it becomes the customer's words as if it arrived now (reopening, clocks); rejected,
    it is kept for the record and never shown to the customer. Either way the ticket's flag goes
    when no other held message remains.
    """
    ticket = Ticket.objects.select_for_update().select_related("customer").get(pk=ticket_id)
    message = Message.objects.filter(pk=message_id, ticket_id=ticket.pk, hold=Message.Hold.UNPROVEN).first()
    if message is None:
        raise InvalidInput(_("This message is not waiting for review."), field="message")
    message.hold = Message.Hold.NONE if accept else Message.Hold.REJECTED
    message.save(update_fields=["hold"])
    field = "message_accepted" if accept else "message_rejected"
    event_record(ticket=ticket, actor=actor, field=field, old="", new=message.pk)
    still_held = Message.objects.filter(ticket_id=ticket.pk, hold=Message.Hold.UNPROVEN).exists()
    if ticket.review_reason == message.hold_reason and not still_held:
        ticket_change(ticket=ticket, actor=actor, changes={"review_reason": ""})
    if accept:
        label = _label(None, ticket.customer)
        _customer_words(ticket=ticket, author=None, auto_submitted=message.auto_submitted, label=label)
        _message_told(ticket=ticket, message=message, actor=actor)
    return message


@transaction.atomic
def ticket_flag(*, ticket: Ticket, linked_to: Ticket | None, reason: str) -> Ticket:
    """Link a ticket to another and/or put it in front of an agent with the reason why."""
    changes: dict[str, Any] = {}
    if linked_to is not None:
        changes["linked_to"] = linked_to
    if reason:
        changes["review_reason"] = reason[:200]
    return ticket_change(ticket=ticket, actor=None, changes=changes)


@transaction.atomic
def ticket_flag_clear(*, actor: User, ticket_id: int) -> Ticket:
    """A supervisor marks a flagged ticket reviewed: the flag goes, the history keeps it.

    Without this, an escalation to a supervisor stayed in "Waiting for you" for good after the
    ticket was handled (the walk of issue 9 found it)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    ticket_action_check(
        actor=actor, ticket=ticket, action="clear_flag",
        role_error=_("Only supervisors can mark a ticket as reviewed."),
        state_error=_("This ticket is not flagged for review."),
    )  # fmt: skip
    return ticket_change(ticket=ticket, actor=actor, changes={"review_reason": ""})


# A ticket's review flag is stored as reason codes, read in the reader's language (review.py).
review_reason_added = review.review_reason_added


def _configuration_items(names: Iterable[str]) -> list[ConfigurationItem]:
    items = []
    for raw in names:
        name = " ".join(str(raw).split())[:120]
        if name:
            item, _created = ConfigurationItem.objects.get_or_create(name=name)
            items.append(item)
    return items


def ticket_agent_message(
    *,
    ticket: Ticket | None = None,
    ticket_id: int | None = None,
    actor: User,
    body: str,
    internal: bool,
    configuration_items: Sequence[str] = (),
    files: Sequence[IncomingFile] = (),
    idempotency_key: str | None = None,
) -> Message:
    """An agent's public reply (emailed to the customer) or internal note (never shown to them).

    ``idempotency_key``, already scoped to the calling client, makes a retry safe: the same key
    and request give back the first message, with no second delivery; another request under
    the key is a ``Conflict``. Concurrent retries are decided by the key's unique constraint.
    Give the ``ticket`` or only its ``ticket_id``: it is loaded and locked here either way.
    """
    if ticket_id is None:
        if ticket is None:
            raise TypeError("ticket or ticket_id is required")
        ticket_id = ticket.pk
    fingerprint = ""
    if idempotency_key:
        fingerprint = _request_fingerprint(ticket_id, body, internal, configuration_items, files)
        first = _message_replayed(key=idempotency_key, fingerprint=fingerprint)
        if first is not None:
            return first
    try:
        return _agent_message(
            ticket_id=ticket_id, actor=actor, body=body, internal=internal,
            configuration_items=configuration_items, files=files,
            idempotency_key=idempotency_key or None, fingerprint=fingerprint,
        )  # fmt: skip
    except IntegrityError:
        # A concurrent retry stored the message first; its transaction (delivery included) won.
        first = _message_replayed(key=idempotency_key, fingerprint=fingerprint) if idempotency_key else None
        if first is None:
            raise
        return first


def _request_fingerprint(ticket_id: int, body: str, internal: bool, items: Iterable[str], files) -> str:  # type: ignore[no-untyped-def]
    digest = hashlib.sha256(json.dumps([ticket_id, body, internal, [str(i) for i in items]]).encode())
    for upload in files:
        digest.update(upload.name.encode() + hashlib.sha256(upload.content).digest())
    return digest.hexdigest()


def _message_replayed(*, key: str, fingerprint: str) -> Message | None:
    first = Message.objects.filter(idempotency_key=key).first()
    if first is not None and first.request_fingerprint != fingerprint:
        raise Conflict(_("This idempotency key was already used for a different request."))
    return first


@transaction.atomic
def _agent_message(
    *,
    ticket_id: int,
    actor: User,
    body: str,
    internal: bool,
    configuration_items: Sequence[str],
    files: Sequence[IncomingFile],
    idempotency_key: str | None,
    fingerprint: str,
) -> Message:
    body = _clean_text(body, field="body")
    checked = _validate_files(files)
    ticket = Ticket.objects.select_for_update().select_related("customer").get(pk=ticket_id)
    held_for = None
    if not internal and _needs_approval(actor, ticket):
        held_for = actor.mentor
    if not internal:
        body = _signed(body, actor=actor, ticket=ticket)
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.INTERNAL if internal else Message.Kind.PUBLIC,
        author=actor,
        channel="web",
        body=body,
        held_for=held_for,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
    )
    if held_for is None:  # search indexes it in this transaction (a held reply says reply_held)
        ticket_changed(
            ticket_id=ticket.pk, kinds=[AGENT_MESSAGE], actor_id=actor.pk,
            values={AGENT_MESSAGE: (None, message.pk)},
        )  # fmt: skip
    items = _configuration_items(configuration_items)
    if items:
        message.configuration_items.add(*items)
        for item in items:
            event_record(
                ticket=ticket, actor=actor, field=TicketEvent.Kind.CONFIGURATION_ITEM, old="", new=item
            )
    stored = _store_attachments(ticket=ticket, message=message, checked=checked)
    for att in stored:
        event_record(ticket=ticket, actor=actor, field=TicketEvent.Kind.ATTACHMENT, old="", new=att.filename)
    changes: dict[str, Any] = {}
    if ticket.status == Ticket.Status.NEW:
        changes["status"] = Ticket.Status.OPEN
    public = not internal and held_for is None
    also = {"first_response_at": timezone.now()} if public and ticket.first_response_at is None else {}
    if held_for is not None:
        event_record(
            ticket=ticket, actor=actor, field=TicketEvent.Kind.REPLY_HELD, old="", new=held_for.email
        )
        notifications.reply_held_notify(ticket=ticket, message=message, senior=held_for)
        ticket_changed(
            ticket_id=ticket.pk, kinds=[TicketEvent.Kind.REPLY_HELD], actor_id=actor.pk,
            values={TicketEvent.Kind.REPLY_HELD: (None, message.pk)},
        )  # fmt: skip
    # An answer stops the next-response clock.
    ticket_change(ticket=ticket, actor=actor, changes=changes, also=also, touch=True, refresh_sla=public)
    if public:
        notifications.reply_notify(ticket=ticket, message=message, attachments=stored)
    # The new message's relations are known: save the caller the queries to read them back.
    # Django's own (private) prefetch cache, which django-stubs does not declare.
    message._prefetched_objects_cache = {"configuration_items": items, "attachments": stored}  # type: ignore[attr-defined]
    return message


# A signature closes a letter: a chat line or a text message goes without one.
UNSIGNED_CHANNELS = ("chat", "sms")


def _signed(body: str, *, actor: User, ticket: Ticket) -> str:
    """A public reply with its author's signature (issue 10), in the ticket's language; notes and
    replies that already end with it are left as they are."""
    signature = actor.signature_for(ticket.language)
    if not signature or ticket.channel in UNSIGNED_CHANNELS or body.endswith(signature):
        return body
    return f"{body}\n\n{signature}"


def _needs_approval(actor: User, ticket: Ticket) -> bool:
    """Pairing: a junior's public reply on a P1/P2 ticket waits for their senior (configurable)."""
    return (
        settings.COMPTOIR_PAIRING_APPROVAL
        and actor.mentor_id is not None
        and ticket.priority in (Ticket.Priority.P1, Ticket.Priority.P2)
    )


@transaction.atomic
def reply_release(*, actor: User, ticket_id: int, message_id: int) -> Message:
    """The senior (or a supervisor) approves a held reply of this ticket: it is sent to the customer now."""
    message = (
        Message.objects.select_related("ticket", "author").filter(pk=message_id, ticket_id=ticket_id).first()
    )
    if message is None or message.held_for_id is None:
        raise InvalidInput(_("This reply is not waiting for approval."), field="message")
    ticket = Ticket.objects.select_for_update().select_related("customer").get(pk=message.ticket_id)
    if not ticket_actions(actor=actor, ticket=ticket).approves(message):
        raise PermissionDenied(_("Only the paired senior or a supervisor can approve this reply."))
    Message.objects.filter(pk=message.pk).update(held_for=None)
    message.held_for = None
    event_record(
        ticket=ticket,
        actor=actor,
        field=TicketEvent.Kind.REPLY_APPROVED,
        old="",
        new=message.author.email if message.author else "",
    )
    ticket_changed(  # the reply now reaches the customer (search records the articles it links)
        ticket_id=ticket.pk, kinds=[TicketEvent.Kind.REPLY_APPROVED], actor_id=actor.pk,
        values={TicketEvent.Kind.REPLY_APPROVED: (None, message.pk)},
    )  # fmt: skip
    also = {"first_response_at": timezone.now()} if ticket.first_response_at is None else {}
    ticket_change(ticket=ticket, actor=actor, changes={}, also=also, touch=True, refresh_sla=True)
    notifications.reply_notify(ticket=ticket, message=message, attachments=list(message.attachments.all()))
    if message.held_changes:
        # What the junior asked for with the reply, now, through the one door, in their name
        # (the history reads: the senior approved the reply of the junior, the junior resolved).
        changes = _held_changes_values(message.held_changes)
        Message.objects.filter(pk=message.pk).update(held_changes={})
        message.held_changes = {}
        ticket_change(ticket=ticket, actor=message.author or actor, changes=changes)
    return message


# What a junior may ask for with a held reply (issue 10): "send and set status", a macro's actions.
HELD_FIELDS = ("status", "priority", "team")


def reply_hold_changes(*, message: Message, actor: User, changes: dict[str, Any]) -> dict[str, Any]:
    """Keep on a held reply the ticket changes its author asked for with it: resolving, or
    waiting on the customer, before the customer has the answer would be wrong, so they wait
    with the reply and ``reply_release`` applies them. Checked now as ``ticket_update`` would
    (the author's right to change the ticket, each value), so that approval cannot fail on them.
    Returns what is kept, JSON-ready ({"status": "resolved", "team": 3})."""
    if message.held_for_id is None:
        raise InvalidInput(_("This reply is not waiting for approval."), field="message")
    unknown = set(changes) - set(HELD_FIELDS)
    if unknown:
        raise InvalidInput(_("Only the status, priority and team can wait with a reply."), field="changes")
    ticket_action_check(
        actor=actor, ticket=message.ticket, action="change", role_error=_("You may not change tickets.")
    )
    kept: dict[str, Any] = {}
    if changes.get("status") is not None:
        if changes["status"] not in Ticket.Status.values:
            raise InvalidInput(_("Unknown status."), field="status")
        kept["status"] = changes["status"]
    if changes.get("priority") is not None:
        if changes["priority"] not in Ticket.Priority.values:
            raise InvalidInput(_("Unknown priority."), field="priority")
        kept["priority"] = changes["priority"]
    if "team" in changes:
        team = changes["team"]
        kept["team"] = team.pk if isinstance(team, Team) else None
    Message.objects.filter(pk=message.pk).update(held_changes=kept)
    message.held_changes = kept
    return kept


def _held_changes_values(kept: dict[str, Any]) -> dict[str, Any]:
    """``ticket_change`` values from a held reply's kept changes; a team deleted since is left out."""
    values: dict[str, Any] = {}
    for name in ("status", "priority"):
        if kept.get(name):
            values[name] = kept[name]
    if "team" in kept:
        team = Team.objects.filter(pk=kept["team"]).first() if kept["team"] else None
        if team is not None or kept["team"] is None:
            values["team"] = team
    return values


def ticket_change(
    *,
    ticket: Ticket,
    actor: User | None,
    changes: dict[str, Any],
    label: str = "",
    also: dict | None = None,
    touch: bool = False,
    refresh_sla: bool = False,
) -> Ticket:
    """The one door of a ticket's field changes: apply them, bump the version, write one event per
    changed field, refresh the SLA clocks when they depend on it, and tell the apps registered in
    ``tickets.changes``. Inside the caller's transaction.

    ``also`` holds columns that change without a history entry (first response time); ``touch``
    bumps the version even when no field changed (a message was added); ``refresh_sla``
    recomputes the clocks even when no field they read changed (a message starts or stops the
    next-response clock).
    """
    updates: dict[str, Any] = dict(also or {})
    values: dict[str, tuple[Any, Any]] = {}
    if "snoozed_until" in updates and updates["snoozed_until"] != ticket.snoozed_until:
        # A snooze or a wake (``snooze`` writes its history) moves the work lists' counters: the
        # apps are told, as kind ``snoozed`` with the old and new ``snoozed_until``.
        values[TicketEvent.Kind.SNOOZED] = (ticket.snoozed_until, updates["snoozed_until"])
    for field, value in updates.items():
        setattr(ticket, field, value)
    for field, new in changes.items():
        old = getattr(ticket, field)
        if old == new:
            continue
        setattr(ticket, field, new)
        updates[field] = new
        values[field] = (old, new)
        event_record(
            ticket=ticket,
            actor=actor,
            field=field,
            old=_display(field, old),
            new=_display(field, new),
            label=label,
        )
    if not updates and not touch:
        return ticket
    if "status" in updates:
        ticket.is_open = ticket.status in Ticket.OPEN_STATUSES
        updates["is_open"] = ticket.is_open
        if ticket.status == Ticket.Status.RESOLVED:
            updates["resolved_at"] = timezone.now()
    updates["updated_at"] = timezone.now()
    if refresh_sla or updates.keys() & {"status", "priority", "category", "first_response_at"}:
        # The clocks go in the same UPDATE as the change: one write of the ticket row.
        updates.update(ticket_sla_fields(ticket=ticket))
    Ticket.objects.filter(pk=ticket.pk).update(version=F("version") + 1, **updates)
    ticket.version += 1
    ticket_changed(
        ticket_id=ticket.pk, kinds=list(values),
        actor_id=actor.pk if actor else None, values=values,
    )  # fmt: skip
    return ticket


def _display(field: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, User):
        return value.email
    if isinstance(value, Team):
        return value.name
    if isinstance(value, Category):
        return value.slug
    if isinstance(value, Ticket):
        return value.reference
    return str(value)


@transaction.atomic
def ticket_update(
    *,
    ticket_id: int,
    actor: User,
    version: int,
    status: str | None = None,
    priority: str | None = None,
    team: Team | None | object = ...,
    assignee: User | None | object = ...,
    category: Category | None | object = ...,
) -> Ticket:
    """Change triage fields if ``version`` is still current; a stale version is a conflict."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    ticket_action_check(
        actor=actor, ticket=ticket, action="change", role_error=_("You may not change tickets.")
    )
    if ticket.version != version:
        raise Conflict(
            _(
                "This ticket was changed by someone else while you were editing it "
                "(version %(theirs)s, yours %(yours)s). Reload it to see their changes, "
                "then apply yours again."
            )
            % {"theirs": ticket.version, "yours": version}
        )
    changes: dict[str, Any] = {}
    if status is not None:
        if status not in Ticket.Status.values:
            raise InvalidInput(_("Unknown status."), field="status")
        changes["status"] = status
    if priority is not None:
        if priority not in Ticket.Priority.values:
            raise InvalidInput(_("Unknown priority."), field="priority")
        changes["priority"] = priority
    if team is not ...:
        changes["team"] = team
    if assignee is not ...:
        if assignee is not None and not getattr(assignee, "is_agent", False):
            raise InvalidInput(_("Tickets can only be assigned to agents."), field="assignee")
        if assignee is not None and assignee != ticket.assignee:
            # Choosing who works on what is the "assign" action; level 1 uses Next ticket. Anyone
            # who may change the ticket may still clear its assignee (hand it back to the queue).
            ticket_action_check(
                actor=actor, ticket=ticket, action="assign",
                role_error=_("You may not choose assignees; use Next ticket."),
            )  # fmt: skip
        changes["assignee"] = assignee
    if category is not ...:
        changes["category"] = category
    if changes:
        ticket_change(ticket=ticket, actor=actor, changes=changes)
    return ticket


@transaction.atomic
def category_ensure(*, slug: str, name_en: str, name_fr: str) -> Category:
    category, _created = Category.objects.get_or_create(
        slug=slug, defaults={"name_en": name_en, "name_fr": name_fr}
    )
    return category


def tickets_move_customer(
    *, source_id: int, target_id: int, actor_label: str, ticket_ids: Sequence[int] | None = None
) -> list[tuple[int, str]]:
    """Move every ticket of one customer (or only ``ticket_ids`` among them, to undo a merge) to
    another, writing the change in each ticket's history; returns the (id, reference) moved."""
    moving = Ticket.objects.filter(customer_id=source_id)
    if ticket_ids is not None:
        moving = moving.filter(pk__in=list(ticket_ids))
    refs = list(moving.values_list("pk", "reference"))
    Ticket.objects.filter(customer_id=source_id, pk__in=[pk for pk, _ref in refs]).update(
        customer_id=target_id, updated_at=timezone.now(), version=F("version") + 1
    )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk, actor_label=actor_label, field="customer", old=f"#{source_id}", new=f"#{target_id}"
        )
        for pk, _ref in refs
    )
    return refs


@transaction.atomic
def ticket_customer_close(*, ticket_id: int, customer: Customer) -> Ticket:
    """A customer closes a request of their own they no longer need ("My requests").

    The history shows the customer's name as who closed it, as with their messages; closing a
    closed request changes nothing. Someone else's request is refused, whatever the caller checked.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    if ticket.customer_id != customer.pk:
        raise PermissionDenied(_("You may only close your own requests."))
    if ticket.status != Ticket.Status.CLOSED:
        ticket_change(
            ticket=ticket, actor=None, changes={"status": Ticket.Status.CLOSED}, label=_label(None, customer)
        )
    return ticket
