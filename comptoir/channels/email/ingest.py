"""Inbound email, whatever the route (IMAP, SMTP receiver, provider webhook): keep, parse, process.

The raw bytes are committed before parsing. The record's key is the SHA-256 of the bytes, so the
same bytes fetched twice are one record; the *message key* (Message-ID + content fingerprint)
recognises the same email arriving by two routes with different trace headers, and lets two
different emails that reuse one Message-ID both through.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.common.exceptions import DomainError, NotFound
from comptoir.customers.services import CustomerData
from comptoir.intake.models import InboundRecord
from comptoir.intake.selectors import RECEIVED_STALE_AFTER, inbound_get, inbound_waiting
from comptoir.intake.services import InboundMessage, IntakeResult, record_fail, record_process, record_store
from comptoir.tickets.tracking import parse_reply_address

from .authentication import SMTPD_AUTHSERV_ID
from .parsing import EmailParseError, Limit, ParsedEmail, email_peek, parse_email, subject_reference

logger = logging.getLogger("comptoir.email")
# Files one ticket message takes (tickets.services refuses more, which would fail the whole email).
MAX_ATTACHMENTS = 10


@dataclass(frozen=True)
class EmailOutcome:
    record: InboundRecord
    result: IntakeResult | None
    error: str = ""


def _own_addresses() -> set[str]:
    return {settings.COMPTOIR_SUPPORT_ADDRESS.lower(), settings.DEFAULT_FROM_EMAIL.lower()}


def _trusted_authserv_ids(source: str) -> set[str]:
    """Whose Authentication-Results we believe: the configured receiving servers, and our own
    receiver's stamp on what it received itself (its header is then always the topmost)."""
    trusted = set(settings.COMPTOIR_AUTHSERV_ID)
    if source == "smtp":
        trusted.add(SMTPD_AUTHSERV_ID)
    return trusted


def _limit_text(limit: Limit) -> str:
    """What a bound left out, in words for the agent reading the ticket."""
    if limit.kind == "parts":
        return _("only its first %(limit)s MIME parts were read") % {"limit": limit.limit}
    if limit.kind == "depth":
        return _("parts nested more than %(limit)s levels deep were not read") % {"limit": limit.limit}
    if limit.kind == "size":
        return _("only its first %(read)s of %(size)s bytes were read") % {
            "read": limit.limit, "size": limit.name
        }  # fmt: skip
    if limit.kind == "headers":
        return _("only %(limit)s of its %(total)s header fields were read (the first and the last)") % {
            "limit": limit.limit, "total": limit.name
        }  # fmt: skip
    if limit.kind == "attachments":
        return _("only its first %(limit)s of %(total)s attachments were added") % {
            "limit": limit.limit, "total": limit.name
        }  # fmt: skip
    if limit.kind == "header":
        return _("its %(name)s header was read up to %(limit)s characters") % {
            "name": limit.name, "limit": limit.limit
        }  # fmt: skip
    if limit.kind == "text":
        return _("its text was cut at %(limit)s characters") % {"limit": limit.limit}
    if limit.kind == "html" and limit.name == "nesting":
        return _("its HTML version, nested more than %(limit)s levels deep, is not shown (its text is)") % {
            "limit": limit.limit
        }
    if limit.kind == "html":
        return _("its HTML version, over %(limit)s characters, is not shown (its text is)") % {
            "limit": limit.limit
        }
    return str(limit)  # pragma: no cover - every kind parsing.py applies is worded above


def limits_note(limits: list[Limit], *, record_id: int) -> str:
    """The note added to the ticket message when a bound applied (never a silent drop)."""
    if not limits:
        return ""
    what = "; ".join(_limit_text(limit) for limit in limits)
    return _(
        "[This email was not read whole: %(what)s. The original is kept as received (inbound email "
        "%(record)s).]"
    ) % {"what": what, "record": record_id}


def _message(parsed: ParsedEmail, *, record_id: int) -> InboundMessage:
    files, limits = parsed.attachments, list(parsed.limits)
    if len(files) > MAX_ATTACHMENTS:  # more would refuse the whole message
        limits.append(Limit("attachments", MAX_ATTACHMENTS, name=str(len(files))))
        files = files[:MAX_ATTACHMENTS]
    note = limits_note(limits, record_id=record_id)
    return InboundMessage(
        channel="email",
        customer=CustomerData(name=parsed.from_name, email=parsed.from_address),
        subject=parsed.subject,
        text="\n\n".join(part for part in (parsed.text, note) if part),
        html=parsed.html,
        attachments=tuple(files),
        external_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=tuple(parsed.references),
        thread_ticket_id=parse_reply_address(parsed.recipients),
        subject_reference=subject_reference(parsed.subject),
        auto_reason=parsed.auto_reason,
        sender_auth=parsed.sender_auth,
        sender_auth_detail=parsed.sender_auth_detail,
        lenient=True,
    )


def email_receive(*, raw: bytes, source: str) -> EmailOutcome:
    """Keep ``raw`` (committed before anything else), then process it.

    Raises only if the bytes could not be stored (the sender must then retry: SMTP 451, IMAP
    leaves the message unseen, the webhook answers 5xx). Once stored, the message is ours: an
    unparseable one is a kept failure, and a crash while processing leaves it ``received`` for
    the sweep (``email_sweep``), so the sender is told it was accepted either way.
    """
    key = "email:" + hashlib.sha256(raw).hexdigest()
    payload = {"size": len(raw), **email_peek(raw)}  # sender and subject, for staff lists
    record, created = record_store(channel="email", key=key, payload=payload, raw=raw, source=source)
    try:
        return email_process(record=record, fresh=created)
    except Exception:
        logger.exception("inbound email %s stored but not processed; the sweep will retry", record.pk)
        return EmailOutcome(record=record, result=None, error="processing interrupted; it will be retried")


def email_process(*, record: InboundRecord, fresh: bool = False) -> EmailOutcome:
    """Parse and process a stored email; also the replay of a failed one (``fresh``: just stored
    by this caller, see ``intake.services.record_process``)."""
    if record.status in (InboundRecord.Status.PROCESSED, InboundRecord.Status.DUPLICATE):
        # The same bytes again (an IMAP re-fetch, a webhook retry): what was made the first time.
        done = IntakeResult(ticket=record.ticket, created=False, record=record, duplicate=True)
        return EmailOutcome(record=record, result=done)
    raw = bytes(record.raw or b"")
    if len(raw) > settings.COMPTOIR_MAX_EMAIL_BYTES:
        reason = f"message too large ({len(raw)} bytes, limit {settings.COMPTOIR_MAX_EMAIL_BYTES})"
        record_fail(record=record, reason=reason)
        return EmailOutcome(record=record, result=None, error=reason)
    try:
        parsed = parse_email(
            raw, own_addresses=_own_addresses(), trusted_authserv_ids=_trusted_authserv_ids(record.source)
        )
    except EmailParseError as exc:
        record_fail(record=record, reason=exc.reason)
        logger.warning("inbound email %s kept unparsed: %s", record.pk, exc.reason)
        return EmailOutcome(record=record, result=None, error=exc.reason)
    if parsed.limits:
        logger.warning(
            "inbound email %s read within bounds: %s", record.pk, "; ".join(map(str, parsed.limits))
        )
    message_key = f"email:{parsed.message_id or '-'}:{parsed.fingerprint[:32]}"
    try:
        result = record_process(
            record=record, message=_message(parsed, record_id=record.pk), message_key=message_key, fresh=fresh
        )
    except DomainError as exc:  # already recorded on the record by record_process
        return EmailOutcome(record=record, result=None, error=exc.message)
    except Exception as exc:  # a bug must not lose the mail nor stop the fetch loop
        logger.exception("inbound email %s failed", record.pk)
        reason = f"processing error: {type(exc).__name__}"
        record_fail(record=record, reason=reason)
        return EmailOutcome(record=record, result=None, error=reason)
    return EmailOutcome(record=record, result=result)


def email_replay(*, record_id: int) -> EmailOutcome:
    """Process a kept (failed or interrupted) email again, e.g. after a fix; NotFound if no such
    email (any integer is accepted: an out-of-range id is simply not found)."""
    record = inbound_get(record_id=record_id, channel="email")
    if record is None:
        raise NotFound(_("No inbound email with this number."))
    return email_process(record=record)


def email_sweep(*, older_than: timedelta = RECEIVED_STALE_AFTER, limit: int = 100) -> int:
    """Process emails stored but left ``received`` (a crash between store and processing).

    Only those older than ``older_than``, so the sweep does not race the normal path; a record
    that still cannot be processed becomes a kept failure rather than being retried forever.
    Returns how many were looked at.
    """
    records = inbound_waiting(older_than=older_than, channel="email", limit=limit)
    for record in records:
        try:
            email_process(record=record)
        except Exception as exc:
            logger.exception("inbound email %s: the sweep could not process it", record.pk)
            record_fail(record=record, reason=f"processing error: {type(exc).__name__}")
    return len(records)
