"""The one intake pipeline that every channel feeds.

``receive`` keeps the raw payload first (its own commit), then identifies the customer, creates the
ticket and its first message, records history and queues the acknowledgment in one transaction.
It is idempotent on ``external_id``: a redelivery returns the ticket made the first time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.common.exceptions import Conflict, DomainError
from comptoir.customers.services import CustomerData, customer_identify_or_create
from comptoir.tickets import notifications
from comptoir.tickets.files import IncomingFile
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_create

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
    received_at: datetime | None = None
    language: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    created: bool
    record: InboundRecord


def _dedupe_key(message: InboundMessage) -> str:
    if message.external_id:
        return f"{message.channel}:{message.external_id}"[:255]
    # No external id: hash the content, so an identical resubmission within the record is one.
    digest = hashlib.sha256(
        json.dumps(
            [message.channel, asdict(message.customer), message.subject, message.text],
            sort_keys=True,
        ).encode()
        + b"".join(hashlib.sha256(a.content).digest() for a in message.attachments)
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
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode())
    for attachment in message.attachments:
        digest.update(hashlib.sha256(attachment.content).digest())
    data["fingerprint"] = digest.hexdigest()
    return data


def _language(message: InboundMessage) -> str:
    """Declared language, else the customer's, else English (triage refines this in issue 4)."""
    lang = (message.language or message.customer.language or "").lower()[:2]
    return lang if lang in {"en", "fr"} else "en"


def receive(message: InboundMessage) -> IntakeResult:
    """Turn an inbound message into a ticket exactly once; raise DomainError on invalid input."""
    key = _dedupe_key(message)
    payload = _payload(message)
    record = InboundRecord.objects.filter(dedupe_key=key).select_related("ticket").first()
    if record is None:
        try:
            with transaction.atomic():
                record = InboundRecord.objects.create(
                    channel=message.channel, dedupe_key=key, payload=payload
                )
        except IntegrityError:
            # A concurrent delivery of the same message got there first.
            record = InboundRecord.objects.select_related("ticket").get(dedupe_key=key)
    if record.payload.get("fingerprint") != payload["fingerprint"]:
        raise Conflict(_("This idempotency key was already used for a different request."))
    if record.ticket_id is not None:
        return IntakeResult(ticket=record.ticket, created=False, record=record)
    try:
        with transaction.atomic():
            record = InboundRecord.objects.select_for_update().get(pk=record.pk)
            if record.ticket_id is not None:  # processed by a concurrent delivery meanwhile
                return IntakeResult(ticket=record.ticket, created=False, record=record)
            language = _language(message)
            customer, _created = customer_identify_or_create(
                data=CustomerData(
                    name=message.customer.name,
                    email=message.customer.email,
                    phone=message.customer.phone,
                    account=message.customer.account,
                    language=message.customer.language or language,
                )
            )
            ticket = ticket_create(
                customer=customer,
                subject=message.subject,
                body=message.text,
                body_html=message.html,
                channel=message.channel,
                language=language,
                files=message.attachments,
            )
            notifications.ack_notify(ticket=ticket)
            record.status = InboundRecord.Status.PROCESSED
            record.ticket = ticket
            record.message = ticket.messages.first()
            record.processed_at = timezone.now()
            record.error = ""
            record.save(update_fields=["status", "ticket", "message", "processed_at", "error"])
    except DomainError as exc:
        InboundRecord.objects.filter(pk=record.pk).update(
            status=InboundRecord.Status.FAILED, error=exc.message[:2000]
        )
        raise
    return IntakeResult(ticket=ticket, created=True, record=record)
