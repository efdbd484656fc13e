"""Notification writes: create (and email by preference), mark read, preferences, presence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from comptoir.accounts.models import User
from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_enqueue
from comptoir.tickets.models import Ticket

from .models import Notification, NotificationSetting, Presence

# Presence older than this is gone: the page was closed (no heartbeat for two polls and more).
PRESENCE_TTL = timedelta(seconds=30)
# A heartbeat rewrites the row at most this often when nothing else changed.
PRESENCE_REFRESH = timedelta(seconds=10)
# A staff alert (tickets' SLA, held-reply and escalation emails) to the same person about the same
# ticket this recently is the same event: the preference does not send it a second time.
SAME_EVENT = timedelta(minutes=2)


def notification_create(
    *,
    recipient: User,
    kind: str,
    ticket: Ticket,
    key: str,
    actor_label: str = "",
    detail: str = "",
    collapse: bool = False,
) -> Notification | None:
    """Tell ``recipient`` about ``ticket``, once per ``key``; also by email when they chose it.

    ``collapse``: not again while one of the same kind on this ticket is unread (a chat's lines
    are one "the customer answered", not one each). Returns None when nothing was added (this
    event already notified them: a retried handler, a repeated sweep).
    """
    if (
        collapse
        and Notification.objects.filter(
            recipient=recipient, ticket=ticket, kind=kind, read_at__isnull=True
        ).exists()
    ):
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, ticket=ticket, key=key[:120],
                actor_label=actor_label[:200], detail=detail[:200],
            )  # fmt: skip
            if _wants_email(recipient, kind):
                _email(notification)
    except IntegrityError:
        return None
    return notification


def notification_notice(
    *, recipient: User, kind: str, key: str, detail: str, link: str
) -> Notification | None:
    """Tell ``recipient`` something that is not about one ticket (a corrective action), once per
    ``key``: in the bell, opening ``link`` (a path on this site). No email: the caller sends its
    own (these kinds are ``Notification.ALWAYS_EMAILED``). None when this key already told them.
    """
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient, kind=kind, ticket=None, key=key[:120], detail=detail[:200],
                link=link[:300],
            )  # fmt: skip
    except IntegrityError:
        return None


def _wants_email(user: User, kind: str) -> bool:
    return bool(user.email) and NotificationSetting.objects.filter(user=user, kind=kind, email=True).exists()


def _email(notification: Notification) -> Delivery | None:
    """Queue the email through the outbox, in the recipient's language, unless the same event's
    staff alert already went to them (the tickets app emails SLA alerts and held replies itself)."""
    user, ticket = notification.recipient, notification.ticket
    if ticket is None:  # a notice about no ticket: its sender emails it (``notification_notice``)
        return None
    already = Delivery.objects.filter(
        kind=Delivery.Kind.STAFF_ALERT, recipient=user.email, ticket_id=ticket.pk,
        created_at__gte=timezone.now() - SAME_EVENT,
    ).exclude(idempotency_key__startswith="notify:").exists()  # fmt: skip
    if already:
        return None
    link = f"{settings.BASE_URL.rstrip('/')}/desk/tickets/{ticket.reference}/"
    with translation.override(user.language or "en"):
        context = {"n": notification, "ticket": ticket, "link": link}
        subject = render_to_string("notifications/email_subject.txt", context)
        body = render_to_string("notifications/email.txt", context)
    return delivery_enqueue(
        key=f"notify:{notification.pk}", kind=Delivery.Kind.STAFF_ALERT, recipient=user.email,
        subject=subject, body=body, ticket_id=ticket.pk,
    )  # fmt: skip


def notification_read(*, user: User, notification_id: int) -> int:
    """Mark one of the user's notifications read; someone else's is left alone (0 returned)."""
    return Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notifications_read_for_ticket(*, user: User, ticket_id: int) -> int:
    """Opening a ticket reads what it says: its notifications leave the bell's count."""
    return Notification.objects.filter(recipient=user, ticket_id=ticket_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_read_settled(*, users: Iterable[User]) -> int:
    """Mark read what told these users about tickets now resolved or closed: loaded history
    (the demo) must not fill the bell with work that is already done."""
    settled = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
    return Notification.objects.filter(
        recipient__in=[u.pk for u in users], ticket__status__in=settled, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def notification_settings_set(*, user: User, email_kinds: Iterable[str]) -> None:
    """The kinds the user also wants by email; every other kind: in the desk only."""
    wanted = set(email_kinds) & set(Notification.Kind.values)
    for kind in Notification.Kind.values:
        if kind in Notification.ALWAYS_EMAILED:
            continue
        NotificationSetting.objects.update_or_create(user=user, kind=kind, defaults={"email": kind in wanted})


def presence_beat(*, user: User, ticket_id: int, writing: bool) -> None:
    """The page of ``ticket_id`` is open in ``user``'s browser (and the reply box has text).

    Written at most every ``PRESENCE_REFRESH`` unless the writing state changes: a page polls
    every few seconds and each poll must not be a write.
    """
    now = timezone.now()
    current = Presence.objects.filter(user=user, ticket_id=ticket_id).only("writing", "seen_at").first()
    if current is None:
        try:
            with transaction.atomic():
                Presence.objects.create(user=user, ticket_id=ticket_id, writing=writing, seen_at=now)
        except IntegrityError:  # two tabs at once
            pass
        return
    if current.writing != writing or now - current.seen_at >= PRESENCE_REFRESH:
        Presence.objects.filter(pk=current.pk).update(writing=writing, seen_at=now)


def presence_prune() -> int:
    """Forget presences nobody refreshed for an hour (a periodic job)."""
    deleted, _rows = Presence.objects.filter(seen_at__lt=timezone.now() - timedelta(hours=1)).delete()
    return deleted
