"""The persistent outbox: enqueue inside the business transaction, deliver after commit."""

from __future__ import annotations

import hashlib
import logging
import smtplib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F
from django.utils import timezone

from comptoir.common.tasks import enqueue_with_change
from comptoir.customers.selectors import consent_granted

from .models import Delivery
from .sms import get_backend as get_sms_backend

logger = logging.getLogger("comptoir.outbox")


def make_message_id(key: str) -> str:
    domain = urlsplit(settings.BASE_URL).hostname or "comptoir.localhost"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{key}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def delivery_enqueue(
    *,
    key: str,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    ticket_id: int | None = None,
    channel: str = "email",
    customer_id: int | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> Delivery:
    """Record a delivery and schedule its send for after the commit.

    ``key`` names the event (``ack:<ticket>``, ``reply:<message>``...): its unique constraint
    makes a second delivery for the same event impossible, not merely unlikely.
    """
    # Subjects come partly from customers: no line breaks may reach a header (CVE-2024-6923).
    clean_subject = " ".join(subject.split())[:300]
    delivery = Delivery.objects.create(
        idempotency_key=key,
        kind=kind,
        channel=channel,
        customer_id=customer_id,
        recipient=recipient,
        subject=clean_subject,
        body=body,
        message_id=make_message_id(key),
        headers=headers or {},
        attachments=attachments or [],
        ticket_id=ticket_id,
        next_attempt_at=timezone.now(),
    )
    from .tasks import delivery_send_task

    # The worker's outbox pump sends it (the delivery row is the queue); other backends get a task.
    enqueue_with_change(delivery_send_task, delivery_id=delivery.pk, polled=True)
    return delivery


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return all(500 <= c < 600 for c in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _build(delivery: Delivery) -> EmailMessage:
    headers = {"Message-ID": delivery.message_id, "Auto-Submitted": "auto-generated"}
    if delivery.kind == Delivery.Kind.REPLY:
        headers.pop("Auto-Submitted")
    headers.update(delivery.headers)
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient],
        headers=headers,
    )
    for item in delivery.attachments:
        with default_storage.open(item["path"], "rb") as fh:
            message.attach(item["filename"], fh.read(), item["content_type"])
    return message


def delivery_send(*, delivery_id: int, connection: BaseEmailBackend | None = None) -> Delivery | None:
    """Send one delivery if it is due; safe to call twice (a sent delivery is left alone).

    Claiming takes a lease: while ``sending``, ``next_attempt_at`` is when the lease expires, the
    instant the sweep may decide this sender died and send again (same Message-ID). An open
    ``connection`` (the sweep's) is reused; without one the send opens and closes its own.
    """
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.COMPTOIR_OUTBOX_LEASE)
    # Claim: only one worker moves a delivery from pending to sending.
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until)
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if not claimed or delivery is None:
        return delivery
    if delivery.channel == "sms" and not consent_granted(
        customer_id=delivery.customer_id or 0, channel="sms"
    ):
        # Consent was withdrawn (STOP) after this text was queued: it is not sent, and says why.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED, last_error="no SMS consent (withdrawn before sending)"
        )
        delivery.refresh_from_db()
        return delivery
    try:
        if delivery.channel == "sms":
            get_sms_backend().send(recipient=delivery.recipient, body=delivery.body, delivery_id=delivery.pk)
        elif connection is not None:
            connection.open()  # no-op while open; reopens after a failure closed it
            connection.send_messages([_build(delivery)])
        else:
            with get_connection(fail_silently=False) as own:
                own.send_messages([_build(delivery)])
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        _send_failed(delivery, exc)
        delivery.refresh_from_db()
        return delivery
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    delivery.refresh_from_db()
    return delivery


def _send_failed(delivery: Delivery, exc: Exception) -> None:
    """A send failed: retry later with backoff, or give up when permanent or out of attempts."""
    delay = settings.COMPTOIR_OUTBOX_BACKOFF
    permanent = _is_permanent(exc) or delivery.attempts > len(delay)
    # Keep the reason, never credentials: smtplib errors carry server text only.
    reason = f"{type(exc).__name__}: {exc}"[:1000]
    if permanent:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error=reason)
        logger.warning("delivery %s failed permanently: %s", delivery.pk, reason)
    else:
        when = timezone.now() + timedelta(seconds=delay[delivery.attempts - 1])
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING, last_error=reason, next_attempt_at=when
        )
        from .tasks import delivery_send_task

        # The retry is due at ``when``: the pump reads it then, as any due delivery.
        enqueue_with_change(delivery_send_task, run_after=when, polled=True, delivery_id=delivery.pk)


def delivery_pump(*, now: datetime | None = None, limit: int = 50) -> int:
    """Send the deliveries that are due: the worker runs this every ``COMPTOIR_OUTBOX_POLL`` s.

    Emails are claimed as a batch (one UPDATE; the lease instant tells this claim from another
    worker's) and sent over one SMTP session, each marked sent as soon as it is: two statements
    per message instead of five. A failed send is retried or given up on its own, as
    ``delivery_send`` does; what the lease no longer covers is given back. Texts go through
    ``delivery_send`` one at a time. Nothing is written when nothing is due.
    """
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", "channel")[:limit]
    )
    if not due:
        return 0
    for pk in [pk for pk, channel in due if channel == "sms"]:
        delivery_send(delivery_id=pk)
    emails = [pk for pk, channel in due if channel != "sms"]
    if not emails:
        return len(due)
    lease = settings.COMPTOIR_OUTBOX_LEASE
    lease_until = timezone.now() + timedelta(seconds=lease)
    give_back_at = lease_until - timedelta(seconds=min(5.0, lease / 5))
    Delivery.objects.filter(pk__in=emails, status=Delivery.Status.PENDING, next_attempt_at__lte=now).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until
    )
    claimed = list(
        Delivery.objects.filter(pk__in=emails, status=Delivery.Status.SENDING, next_attempt_at=lease_until)
    )
    connection = get_connection(fail_silently=False)
    try:
        for i, delivery in enumerate(claimed):
            if timezone.now() >= give_back_at:
                # A slow server ate the lease: give the rest back rather than risk a second
                # sender taking them while this one still might.
                rest = [d.pk for d in claimed[i:]]
                Delivery.objects.filter(pk__in=rest, status=Delivery.Status.SENDING).update(
                    status=Delivery.Status.PENDING, next_attempt_at=timezone.now()
                )
                break
            try:
                connection.open()  # no-op while open; reopens after a failure closed it
                connection.send_messages([_build(delivery)])
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                _send_failed(delivery, exc)
                connection.close()  # the session may be broken: start a new one
                continue
            # Marked one by one: a crash can repeat only the message being sent.
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
            )
    finally:
        connection.close()
    return len(due)


def delivery_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Safety net run periodically: re-arm sends a crash left half-done, then send what is due.

    A delivery still ``sending`` after its lease (COMPTOIR_OUTBOX_LEASE) was interrupted: the
    process died mid-send. It goes back to pending and is sent again with the same Message-ID, so
    a receiver that got the first copy can discard the second.
    """
    now = now or timezone.now()
    rearmed = Delivery.objects.filter(status=Delivery.Status.SENDING, next_attempt_at__lt=now).update(
        status=Delivery.Status.PENDING, next_attempt_at=now
    )
    if rearmed:
        logger.warning("%s delivery(ies) left sending by a dead sender: sending again", rearmed)
    return delivery_pump(now=now, limit=limit)
