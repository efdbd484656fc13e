"""The one intake pipeline that every channel feeds.

Two entry points around one piece of business (``_apply``: identify the customer, thread onto an
existing ticket or open a new one, record history, queue the acknowledgment):

- ``receive`` for channels whose sender waits for the answer (form, API, SMS, chat, phone log):
  the inbound record is written in the ticket's own transaction, one commit per request;
- ``record_store`` then ``record_process`` for channels that must never lose a message (email):
  the raw bytes are committed before anything is parsed, so a crash or a parser bug leaves a
  record that can be replayed.

Both are idempotent: a redelivery (same key, or the same message by another route) lands on
what was made the first time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TypeGuard

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import Conflict, DomainError, PermissionDenied
from comptoir.common.queries import unique_or_none
from comptoir.customers.models import Customer
from comptoir.customers.selectors import customer_has_email
from comptoir.customers.services import (
    CustomerData,
    customer_event,
    customer_identify_or_create,
    customer_merge_records,
    customer_merge_tickets_record,
    customer_unmerge_records,
)
from comptoir.tickets import notifications, review
from comptoir.tickets.enrichment import enrichment_queue
from comptoir.tickets.exceptions import AttachmentRefused
from comptoir.tickets.files import IncomingFile, validate_file
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.review import review_reason
from comptoir.tickets.selectors import customer_open_ticket, ticket_for_thread
from comptoir.tickets.services import ticket_create, ticket_customer_reply, ticket_flag, tickets_move_customer
from comptoir.triage.services import detect_language as triage_detect_language
from comptoir.triage.services import triage_context, triage_decide

from .models import InboundRecord


@dataclass(frozen=True)
class InboundMessage:
    """What any channel knows about a request, in protocol-free terms."""

    channel: str
    customer: CustomerData
    subject: str
    text: str
    html: str = ""
    attachments: tuple[IncomingFile, ...] = ()
    external_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    received_at: datetime | None = None
    language: str | None = None
    # Threading hints: a verified ticket from the reply address, a reference seen in the subject.
    thread_ticket_id: int | None = None
    subject_reference: str | None = None
    # A robot wrote this (auto-reply, bounce, list): store it, never acknowledge it.
    auto_reason: str | None = None
    # Email sender authentication (channels/email/authentication.py): "pass" (a trusted server or
    # our receiver proved the From domain), "fail" (DMARC failed there) or "none"; "" for
    # channels that do not say. Only a proven sender's message joins an existing ticket as theirs.
    sender_auth: str = ""
    sender_auth_detail: str = ""
    # Email is best effort: refused attachments are noted in the text instead of refusing the mail.
    lenient: bool = False
    # An existing customer chosen by an agent (phone log, request on the customer's behalf).
    customer_id: int | None = None
    # Continue this customer's open ticket on this channel (SMS, chat) when there is one.
    continue_open: bool = False
    # Who the sender is was only typed into a public form (request form, chat): proven by nothing,
    # so it never joins their conversation nor adds to their record; their open request is linked.
    unproven_identity: bool = False
    # The agent who logged this for the customer (a phone call).
    logged_by_id: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    created: bool
    record: InboundRecord
    message: Message | None = None
    duplicate: bool = False


def _dedupe_key(message: InboundMessage) -> str:
    if message.external_id:
        return f"{message.channel}:{message.external_id}"[:255]
    # No external id: every submission is new (the timestamp makes the key unique).
    digest = hashlib.sha256(
        json.dumps([message.channel, asdict(message.customer), message.subject, message.text]).encode()
        + (message.received_at or timezone.now()).isoformat().encode()
    ).hexdigest()
    return f"{message.channel}:sha256:{digest}"


def _payload(message: InboundMessage) -> dict:
    data = {
        "customer": asdict(message.customer),
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "attachments": [
            {"name": a.name, "size": len(a.content), "declared_type": a.declared_type}
            for a in message.attachments
        ],
        "in_reply_to": message.in_reply_to,
        "language": message.language,
    }
    data = _without_nul(data)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode())
    for attachment in message.attachments:
        digest.update(hashlib.sha256(attachment.content).digest())
    data["fingerprint"] = digest.hexdigest()
    return data


def _without_nul(value):  # type: ignore[no-untyped-def]
    """NUL characters cannot be stored in PostgreSQL text or JSON: drop them everywhere."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _language(message: InboundMessage) -> str:
    """Declared language, else the customer's, else English (triage refines this in issue 4)."""
    lang = (message.language or message.customer.language or "").lower()[:2]
    return lang if lang in {"en", "fr"} else "en"


def record_store(
    *, channel: str, key: str, payload: dict, raw: bytes | None = None, source: str = ""
) -> tuple[InboundRecord, bool]:
    """Keep an inbound payload in its own commit; the same key twice returns the first record.

    The insert comes first: a new message (the usual case) costs no lookup; the key's unique
    constraint tells a redelivery, which then reads the first record.
    """
    try:
        with transaction.atomic():
            record = _record_insert(channel=channel, key=key, payload=payload, raw=raw, source=source)
        return record, True
    except IntegrityError:  # delivered before, or a concurrent delivery got there first
        return InboundRecord.objects.select_related("ticket").get(dedupe_key=key), False


# Every email is stored, then marked processed: two statements written as SQL from the model's
# own fields (each value prepared by its field, as the ORM would), because building and
# compiling them through the ORM cost ten times what the database takes to run them.
_STORED = ("channel", "dedupe_key", "payload", "raw", "source", "status", "error", "received_at")
_DONE = ("status", "ticket_id", "message_id", "message_key", "processed_at", "error")
_FIELDS = {f.attname: f for f in InboundRecord._meta.concrete_fields}
_INSERT = (
    f"INSERT INTO {InboundRecord._meta.db_table} ({', '.join(_FIELDS[n].column for n in _STORED)})"  # noqa: S608
    f" VALUES ({', '.join(['%s'] * len(_STORED))})"
)
_MARK_DONE = (
    f"UPDATE {InboundRecord._meta.db_table} SET {', '.join(f'{_FIELDS[n].column} = %s' for n in _DONE)}"  # noqa: S608
    " WHERE id = %s AND status NOT IN (%s, %s)"
)


def _record_insert(*, channel: str, key: str, payload: dict, raw: bytes | None, source: str) -> InboundRecord:
    """``InboundRecord.objects.create`` for a new record (raises IntegrityError on a known key)."""
    values = (channel, key, payload, raw, source, InboundRecord.Status.RECEIVED, "", timezone.now())
    params = [_FIELDS[name].get_db_prep_save(v, connection) for name, v in zip(_STORED, values, strict=True)]
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(_INSERT + " RETURNING id", params)
            pk = cursor.fetchone()[0]
        else:  # pragma: no cover - SQLite before 3.35
            cursor.execute(_INSERT, params)
            pk = cursor.lastrowid
    return InboundRecord.from_db(connection.alias, ["id", *_STORED], [pk, *values])


def _record_done(*, record_id: int, fields: dict[str, object]) -> bool:
    """Mark a record processed unless another run processed it meanwhile; whether this one did."""
    params = [_FIELDS[name].get_db_prep_save(fields[name], connection) for name in _DONE]
    done = [InboundRecord.Status.PROCESSED, InboundRecord.Status.DUPLICATE]
    with connection.cursor() as cursor:
        cursor.execute(_MARK_DONE, [*params, record_id, *done])
        return cursor.rowcount > 0


def record_fail(*, record: InboundRecord, reason: str) -> None:
    """Keep the record with the reason it could not be processed; staff can replay it.

    The given object is updated too, so callers report what is stored.
    """
    updated = (
        InboundRecord.objects.filter(pk=record.pk)
        .exclude(status=InboundRecord.Status.PROCESSED)
        .update(status=InboundRecord.Status.FAILED, error=reason[:2000])
    )
    if updated:
        record.status, record.error = InboundRecord.Status.FAILED, reason[:2000]


def _lenient_files(message: InboundMessage) -> tuple[tuple[IncomingFile, ...], str]:
    """Keep acceptable attachments; name each refused one in a note (the raw copy keeps it)."""
    kept, notes = [], []
    for upload in message.attachments:
        try:
            validate_file(upload)
        except AttachmentRefused as exc:
            notes.append(exc.message)
        else:
            kept.append(upload)
    note = "\n".join(f"[{n}]" for n in notes)
    return tuple(kept), note


def _customer(message: InboundMessage, language: str) -> tuple[Customer, bool]:
    """The message's customer, and whether intake has just created them."""
    if message.customer_id is not None:
        customer = Customer.objects.filter(pk=message.customer_id).first()
        if customer is None:
            raise DomainError(_("No such customer."))
        return customer, False
    return customer_identify_or_create(
        data=CustomerData(
            name=message.customer.name,
            email=message.customer.email,
            phone=message.customer.phone,
            account=message.customer.account,
            language=message.customer.language or language,
        ),
        attach=not message.unproven_identity,
    )


def _thread(message: InboundMessage, customer: Customer) -> tuple[Ticket | None, Ticket | None, str]:
    """(ticket to join, ticket to link a new one to, reason: a stored review flag, tickets/review.py)
    from the message's threading hints.

    A hint only joins when the sender is one of the ticket's participants; otherwise the new ticket
    is linked to the one named and flagged for an agent (a stranger quoting a reference must never
    read or write someone else's conversation). A participant's address that nothing proves joins
    *held*: returned as (ticket, None, reason), hidden from the customer until an agent accepts it.
    """
    ids = [i for i in (message.in_reply_to, *message.references) if i]
    candidate = ticket_for_thread(
        ticket_id=message.thread_ticket_id,
        message_ids=ids,
        reference=message.subject_reference,
        customer_id=customer.pk if message.continue_open else None,
        channel=message.channel if message.continue_open else None,
    )
    if candidate is None:
        return None, None, ""
    participant = candidate.customer_id == customer.pk or (
        message.customer.email is not None
        and customer_has_email(customer_id=candidate.customer_id, email=message.customer.email)
    )
    if not participant:
        return None, candidate, review_reason(review.STRANGER_REPLY, candidate.reference)
    if candidate.status == Ticket.Status.CLOSED:
        failed = message.sender_auth == "fail"
        return None, candidate, review_reason(review.DMARC_FAILED) if failed else ""
    return candidate, None, _unproven(message, candidate)


def _unproven(message: InboundMessage, candidate: Ticket) -> str:
    """Why a participant's email may not join as their words yet; "" when it may.

    A From address proves nothing. A trusted verdict (channels/email/authentication.py) proves
    it; so does our HMAC-bound reply address, a secret sent only to the customer, unless a
    trusted server saw DMARC fail. Channels that do not say (sender_auth "") keep their rules.
    """
    if message.sender_auth in ("", "pass"):
        return ""
    detail = message.sender_auth_detail or message.sender_auth
    if message.sender_auth == "fail":
        return review_reason(review.SENDER_AUTH_FAILED, detail)
    if message.thread_ticket_id == candidate.pk:
        return ""
    return review_reason(review.SENDER_UNPROVEN, detail)


def record_process(
    *, record: InboundRecord, message: InboundMessage, message_key: str | None = None, fresh: bool = False
) -> IntakeResult:
    """Turn a stored record into a ticket message, exactly once; DomainError on invalid input.

    ``fresh``: the caller has just stored the record, so its status was read a moment ago and
    the read before the work is skipped (another run racing it is still caught at the end).
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return _process(record=record, message=message, message_key=message_key, fresh=fresh)
        except IntegrityError:
            # This very record processed by another run meanwhile (two pollers), another route
            # that delivered the same message processed at the same moment, or a concurrent
            # message that created this sender's identity first.
            done = _processed_meanwhile(record)
            if done is not None:
                return done
            if _already_processed(message_key):
                return _mark_duplicate(record=record, message_key=message_key)
            if attempt == 2:
                raise
        except _ProcessedMeanwhile:
            done = _processed_meanwhile(record)
            assert done is not None  # raised only when the stored record says so
            return done
        except DomainError as exc:
            record_fail(record=record, reason=exc.message)
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _processed_meanwhile(record: InboundRecord) -> IntakeResult | None:
    """What another run of this very record made, as a duplicate answer; None if it is not done."""
    current = InboundRecord.objects.select_related("ticket").get(pk=record.pk)
    if current.status not in (InboundRecord.Status.PROCESSED, InboundRecord.Status.DUPLICATE):
        return None
    assert current.ticket is not None  # a processed record names its ticket (never deleted)
    return IntakeResult(ticket=current.ticket, created=False, record=current, duplicate=True)


def _already_processed(message_key: str | None) -> TypeGuard[str]:
    """Another record of the same message (by another route) became a ticket message already."""
    return (
        bool(message_key)
        and InboundRecord.objects.filter(
            message_key=message_key, status=InboundRecord.Status.PROCESSED
        ).exists()
    )


def _mark_duplicate(*, record: InboundRecord, message_key: str) -> IntakeResult:
    first = (
        InboundRecord.objects.select_related("ticket")
        .filter(message_key=message_key, status=InboundRecord.Status.PROCESSED)
        .first()
    )
    if first is None:  # pragma: no cover - the constraint that sent us here names one
        raise DomainError(_("Duplicate message without an original."))
    assert first.ticket is not None  # a processed record names its ticket (never deleted)
    InboundRecord.objects.filter(pk=record.pk).update(
        status=InboundRecord.Status.DUPLICATE,
        ticket=first.ticket,
        message=first.message_id,
        message_key=message_key,
        processed_at=timezone.now(),
        error="",
    )
    record.refresh_from_db()
    return IntakeResult(ticket=first.ticket, created=False, record=record, duplicate=True)


def _apply(*, message: InboundMessage) -> tuple[Ticket, Message, bool]:
    """The business of intake, inside the caller's transaction: (ticket, message, created)."""
    declared = _language(message)
    join_hint = message.thread_ticket_id or message.subject_reference or message.in_reply_to
    # Language is decided from the text before a new customer is created, so their record and
    # the acknowledgment use it; replies keep their ticket's language.
    language, language_confidence = declared, 0.0
    if not join_hint:
        language, language_confidence = triage_detect_language(
            f"{message.subject}\n{message.text}", fallback=declared
        )
    customer, new_customer = _customer(message, language)
    files, note = _lenient_files(message) if message.lenient else (message.attachments, "")
    text = "\n\n".join(part for part in (message.text.strip(), note) if part)
    if message.lenient and not text:
        text = _("(message without text)")
    join, link, reason = _thread(message, customer)
    external_id = (message.external_id or "")[:300]
    if join is not None:
        new_message = ticket_customer_reply(
            ticket=join, body=text, channel=message.channel, files=files, body_html=message.html,
            external_id=external_id, auto_submitted=bool(message.auto_reason), hold_reason=reason,
            author=User.objects.filter(pk=message.logged_by_id).first() if message.logged_by_id else None,
        )  # fmt: skip
        return join, new_message, False
    subject = message.subject.strip() or _("(no subject)")
    decision = triage_decide(
        subject=message.subject, text=text, channel=message.channel, customer=customer,
        sender_email=message.customer.email, language=language, language_confidence=language_confidence,
    )  # fmt: skip
    ticket, new_message = ticket_create(
        customer=customer, subject=subject, body=text, body_html=message.html,
        channel=message.channel, language=decision.language, files=files,
        external_id=external_id, auto_submitted=bool(message.auto_reason),
        actor=User.objects.filter(pk=message.logged_by_id).first() if message.logged_by_id else None,
        priority=decision.priority, team=decision.team, category=decision.category, triage_note=decision.note,
        analysing=True,
    )  # fmt: skip
    enrichment_queue(ticket=ticket, context={**triage_context(decision), "auto": bool(message.auto_reason)})
    if message.unproven_identity and link is None:
        link, reason = _open_request(customer=customer, new=ticket)
    if link is not None or reason:
        ticket_flag(ticket=ticket, linked_to=link, reason=reason)
    if not message.auto_reason:
        email = _normalized_email(message) if message.customer_id is None else None
        new_address = new_customer and email is not None
        notifications.ack_notify(
            ticket=ticket, email=email, first_message_id=external_id, new_address=new_address
        )
    return ticket, new_message, True


def _open_request(*, customer: Customer, new: Ticket) -> tuple[Ticket | None, str]:
    """The customer's latest open request, for the agent to weigh a typed identity against it."""
    other = customer_open_ticket(customer_id=customer.pk, exclude_id=new.pk)
    if other is None:
        return None, ""
    return other, review_reason(review.SAME_CONTACT)


def _normalized_email(message: InboundMessage) -> str | None:
    from comptoir.customers.services import normalize_email

    return normalize_email(message.customer.email) if message.customer.email else None


def _stored_done(*, record_id: int) -> bool:
    done = (InboundRecord.Status.PROCESSED, InboundRecord.Status.DUPLICATE)
    stored = InboundRecord.objects.filter(pk=record_id, status__in=done).values_list("pk", flat=True)
    return unique_or_none(stored) is not None


class _ProcessedMeanwhile(Exception):
    """Another run processed this record while this one worked: its work is rolled back."""


def _process(
    *, record: InboundRecord, message: InboundMessage, message_key: str | None, fresh: bool = False
) -> IntakeResult:
    done = (InboundRecord.Status.PROCESSED, InboundRecord.Status.DUPLICATE)
    # The record as stored now (one narrow read): another run (a second poller, the sweep) may
    # have processed it since the caller read it; then nothing is done twice, not even in vain.
    if record.status in done or (not fresh and _stored_done(record_id=record.pk)):
        raise _ProcessedMeanwhile
    # The same message by another route (both processed at once, or one long ago) is caught by
    # the partial unique constraint on message_key when this record is saved: the work is rolled
    # back and ``record_process`` marks this record a duplicate. Another run of this very record
    # (a replay, the sweep) is caught by the conditional UPDATE below. No lookup or lock before,
    # for the usual case of a message processed once.
    ticket, new_message, created = _apply(message=message)
    fields: dict[str, object] = {
        "status": InboundRecord.Status.PROCESSED, "ticket_id": ticket.pk, "message_id": new_message.pk,
        "message_key": message_key, "processed_at": timezone.now(), "error": message.auto_reason or "",
    }  # fmt: skip
    if not _record_done(record_id=record.pk, fields=fields):
        raise _ProcessedMeanwhile
    for name, value in fields.items():
        setattr(record, name, value)
    record.ticket, record.message = ticket, new_message
    return IntakeResult(ticket=ticket, created=created, record=record, message=new_message)


def receive(message: InboundMessage) -> IntakeResult:
    """Process a message that arrives whole (form, API, SMS, chat, phone log), exactly once.

    The caller is waiting for the answer, so the record is written in the same transaction as
    the ticket (one commit) instead of being kept first; a refused message still leaves a failed
    record with its reason. A key seen before returns the first ticket; a concurrent delivery of
    the same key loses the race on the record's unique key, and its work is rolled back.
    """
    payload = _payload(message)
    key = _dedupe_key(message)
    # A narrow existence check first: a repeated key is rare, and loading the record with its
    # ticket costs several times more to build.
    if message.external_id and InboundRecord.objects.filter(dedupe_key=key).exists():
        existing = unique_or_none(InboundRecord.objects.filter(dedupe_key=key).select_related("ticket"))
        if existing is not None:
            return _replayed(existing=existing, payload=payload, message=message)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                ticket, new_message, created = _apply(message=message)
                record = InboundRecord.objects.create(
                    channel=message.channel, dedupe_key=key, payload=payload,
                    status=InboundRecord.Status.PROCESSED, ticket=ticket, message=new_message,
                    processed_at=timezone.now(),
                )  # fmt: skip
            break
        except IntegrityError:
            existing = unique_or_none(InboundRecord.objects.filter(dedupe_key=key).select_related("ticket"))
            if existing is not None:
                return _replayed(existing=existing, payload=payload, message=message)
            if attempt == 2:
                raise
            # A concurrent request created this customer's identity first: identify again.
        except DomainError as exc:
            record, _new = record_store(channel=message.channel, key=key, payload=payload)
            record_fail(record=record, reason=exc.message)
            raise
    return IntakeResult(ticket=ticket, created=created, record=record, message=new_message)


def _replayed(*, existing: InboundRecord, payload: dict, message: InboundMessage) -> IntakeResult:
    if existing.payload.get("fingerprint") != payload["fingerprint"]:
        raise Conflict(_("This idempotency key was already used for a different request."))
    if existing.status != InboundRecord.Status.FAILED and existing.ticket is not None:
        return IntakeResult(ticket=existing.ticket, created=False, record=existing, duplicate=True)
    return record_process(record=existing, message=message)


@transaction.atomic
def customer_merge(*, source_id: int, target_id: int, actor: User) -> Customer:
    """Two records found to be one person: identities, consents and tickets move to ``target``.

    Only agents who may merge (``User.may_merge_customers``); what moved is recorded on the
    ``CustomerMerge`` row so that ``customer_unmerge`` can move exactly that back.
    """
    if not actor.may_merge_customers:
        raise PermissionDenied(_("Only supervisors can merge customer records."))
    label = actor.email
    source, target, merge = customer_merge_records(
        source_id=source_id, target_id=target_id, actor_label=label
    )
    moved = tickets_move_customer(source_id=source.pk, target_id=target.pk, actor_label=label)
    customer_merge_tickets_record(merge=merge, ticket_ids=[pk for pk, _ref in moved])
    detail = _("%(source)s (#%(source_id)s) merged into %(target)s (#%(target_id)s); tickets: %(refs)s") % {
        "source": source.name, "source_id": source.pk, "target": target.name, "target_id": target.pk,
        "refs": ", ".join(ref for _pk, ref in moved) or "-",
    }  # fmt: skip
    customer_event(customer=target, kind="merge", detail=detail, actor_label=label)
    customer_event(customer=source, kind="merged_into", detail=detail, actor_label=label)
    return target


@transaction.atomic
def customer_unmerge(*, merge_id: int, actor: User) -> Customer:
    """Undo a merge: the tickets, identities and consents it moved go back, recorded on both."""
    if not actor.may_merge_customers:
        raise PermissionDenied(_("Only supervisors can merge customer records."))
    label = actor.email
    merge, source, target = customer_unmerge_records(merge_id=merge_id, actor_label=label)
    moved = tickets_move_customer(
        source_id=target.pk, target_id=source.pk, actor_label=label, ticket_ids=merge.ticket_ids
    )
    detail = _(
        "Merge of %(source)s (#%(source_id)s) into %(target)s (#%(target_id)s) undone; tickets back: %(refs)s"
    ) % {
        "source": source.name, "source_id": source.pk, "target": target.name, "target_id": target.pk,
        "refs": ", ".join(ref for _pk, ref in moved) or "-",
    }  # fmt: skip
    customer_event(customer=target, kind="merge_undone", detail=detail, actor_label=label)
    customer_event(customer=source, kind="merge_undone", detail=detail, actor_label=label)
    return source


def receive_action(
    *, channel: str, external_id: str, payload: dict, action: Callable[[], object]
) -> tuple[InboundRecord, bool]:
    """An inbound message that changes something other than a ticket (an SMS STOP), exactly once.

    It is kept like any other inbound message, under the same key (``<channel>:<external id>``),
    and ``action`` runs in the transaction that writes its record: a redelivery, even after later
    messages, finds the record and changes nothing again; a concurrent one loses the race on the
    unique key and its work is rolled back. Returns (record, whether ``action`` ran now). A
    refused action (DomainError) leaves a failed record with its reason, retried on redelivery.
    """
    key = f"{channel}:{external_id}"[:255]
    data = _without_nul(dict(payload))
    data["fingerprint"] = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    for attempt in (1, 2):
        existing = unique_or_none(InboundRecord.objects.filter(dedupe_key=key))
        if existing is not None and existing.status != InboundRecord.Status.FAILED:
            if existing.payload.get("fingerprint") != data["fingerprint"]:
                raise Conflict(_("This idempotency key was already used for a different request."))
            return existing, False
        try:
            with transaction.atomic():
                record = _action_record(existing=existing, channel=channel, key=key, payload=data)
                if record is None:  # processed by a concurrent delivery since we looked
                    continue
                action()
            return record, True
        except IntegrityError:
            if attempt == 2:
                raise
            # The same key stored concurrently (found on the next pass), or another unique row.
        except DomainError as exc:
            failed, _new = record_store(channel=channel, key=key, payload=data)
            record_fail(record=failed, reason=exc.message)
            raise
    return InboundRecord.objects.get(dedupe_key=key), False


def _action_record(
    *, existing: InboundRecord | None, channel: str, key: str, payload: dict
) -> InboundRecord | None:
    """The record of an action, processed, in the caller's transaction; None if done meanwhile."""
    now = timezone.now()
    if existing is None:
        return InboundRecord.objects.create(
            channel=channel, dedupe_key=key, payload=payload, status=InboundRecord.Status.PROCESSED,
            processed_at=now,
        )  # fmt: skip
    record = InboundRecord.objects.select_for_update().get(pk=existing.pk)
    if record.status != InboundRecord.Status.FAILED:
        return None
    record.status, record.error, record.processed_at = InboundRecord.Status.PROCESSED, "", now
    record.save(update_fields=["status", "error", "processed_at"])
    return record
