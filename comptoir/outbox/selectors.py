from __future__ import annotations

import email
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .models import CapturedEmail, CapturedSms, Delivery
from .redact import mask_secrets


def captured_email_list(*, limit: int = 100) -> list[CapturedEmail]:
    return list(CapturedEmail.objects.order_by("-id")[:limit])


def delivery_list(*, limit: int = 100) -> list[Delivery]:
    return list(Delivery.objects.select_related("ticket").order_by("-id")[:limit])


def delivery_ticket_ids(*, message_ids: list[str]) -> QuerySet[Delivery, Any]:
    """The ticket of a message we sent with one of these Message-IDs (a customer's reply names
    them), as a subquery: the caller fetches the ticket in the same statement."""
    return Delivery.objects.filter(message_id__in=message_ids, ticket__isnull=False).values("ticket_id")[:1]


# --- The outbox page: what staff may read, secrets masked ---------------------------------------


def decode_subject(value: str) -> str:
    """``=?utf-8?q?Facture_corrig=C3=A9e?=`` → ``Facture corrigée`` (RFC 2047); text as is otherwise."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):  # unknown charset, broken encoded word
        return value


@dataclass(frozen=True)
class DeliveryRow:
    pk: int
    kind: str
    channel: str
    recipient: str
    subject: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    ticket_reference: str | None


@dataclass(frozen=True)
class CapturedMailRow:
    pk: int
    created_at: datetime
    date: str
    recipients: str
    subject: str
    reply_to: str
    body: str
    attachments: list[str]
    ticket_reference: str | None


@dataclass(frozen=True)
class CapturedSmsRow:
    created_at: datetime
    recipient: str
    body: str
    ticket_reference: str | None


def _text_of(raw: str) -> tuple[email.message.EmailMessage, str, list[str]]:
    # As bytes: an 8bit UTF-8 body read from a str would be decoded as ASCII (é → �).
    message = email.message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=policy.default)
    body_part = message.get_body(preferencelist=("plain", "html"))
    try:
        body = body_part.get_content() if body_part is not None else ""
    except (LookupError, ValueError):  # an unknown charset: show what the bytes say
        payload = body_part.get_payload(decode=True) if body_part else None
        body = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    files = [part.get_filename() or "" for part in message.iter_attachments()]
    return message, body, files


def outbox_page(*, limit: int = 100) -> dict[str, list]:
    """What the outbox page shows: decoded, dated, linked to its ticket, every secret masked.

    The raw captured message is never shown: a quoted-printable or base64 body would carry
    tracking links past any masking, so the body is decoded first and then masked.
    """
    deliveries = [
        DeliveryRow(
            pk=d.pk,
            kind=d.get_kind_display(),
            channel=d.channel,
            recipient=d.recipient,
            subject=mask_secrets(decode_subject(d.subject)),
            status=d.status,
            status_label=d.get_status_display(),
            attempts=d.attempts,
            last_error=mask_secrets(d.last_error),
            created_at=d.created_at,
            sent_at=d.sent_at,
            ticket_reference=d.ticket.reference if d.ticket else None,
        )
        for d in delivery_list(limit=limit)
    ]
    captured = captured_email_list(limit=limit)
    references = dict(
        Delivery.objects.filter(
            message_id__in=[c.message_id for c in captured], ticket__isnull=False
        ).values_list("message_id", "ticket__reference")
    )
    mails = []
    for c in captured:
        message, body, files = _text_of(c.raw)
        mails.append(
            CapturedMailRow(
                pk=c.pk,
                created_at=c.created_at,
                date=str(message.get("Date", "")),
                recipients=c.recipients,
                subject=mask_secrets(decode_subject(c.subject)),
                reply_to=mask_secrets(str(message.get("Reply-To", ""))),
                body=mask_secrets(body),
                attachments=files,
                ticket_reference=references.get(c.message_id),
            )
        )
    texts = list(CapturedSms.objects.select_related("delivery__ticket").order_by("-id")[:limit])
    sms = [
        CapturedSmsRow(
            created_at=m.created_at,
            recipient=m.recipient,
            body=mask_secrets(m.body),
            ticket_reference=m.delivery.ticket.reference if m.delivery and m.delivery.ticket else None,
        )
        for m in texts
    ]
    return {"deliveries": deliveries, "captured": mails, "sms": sms}


@dataclass(frozen=True)
class OutboxBacklog:
    """How far behind the outbox is: what supervisors watch to know mail is leaving."""

    pending: int
    due: int
    oldest_pending_age_s: float | None
    sending: int
    sending_lease_expired: int
    failed: int


def outbox_backlog(*, now: datetime | None = None) -> OutboxBacklog:
    """Counts by state and the oldest pending row's age: one query on the status index, no sent row."""
    now = now or timezone.now()
    pending = Q(status=Delivery.Status.PENDING)
    sending = Q(status=Delivery.Status.SENDING)
    unfinished = [Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.FAILED]
    figures = Delivery.objects.filter(status__in=unfinished).aggregate(
        pending=Count("pk", filter=pending),
        due=Count("pk", filter=pending & Q(next_attempt_at__lte=now)),
        oldest=Min("created_at", filter=pending),
        sending=Count("pk", filter=sending),
        expired=Count("pk", filter=sending & Q(next_attempt_at__lt=now)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
    )
    oldest = figures["oldest"]
    return OutboxBacklog(
        pending=figures["pending"],
        due=figures["due"],
        oldest_pending_age_s=round((now - oldest).total_seconds(), 1) if oldest else None,
        sending=figures["sending"],
        sending_lease_expired=figures["expired"],
        failed=figures["failed"],
    )
