"""Broadcasting an incident update to every affected customer, through the outbox.

Affected customers: those of the incident's linked tickets, the subscribers of its service and
the customers whose area starts with its area, less the customers whose linked ticket this very
update resolved with a reply (they have it already), and less those we may reach on no channel.
Each gets the update in their language, by email unless they withdrew email consent (or have
no address), else by SMS if they consented to texts.

The broadcast runs in the worker (``incident_broadcast_task``), ``BATCH`` customers per
transaction, in customer-id order: the batch's deliveries and the cursor's advance commit
together, so an interrupted send resumes after the last committed batch, and the delivery key
``incident:<update>:<customer>`` (unique in the outbox) makes a second delivery for the same
customer impossible even if a cursor were lost. A lost task is found by ``broadcast_sweep``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from comptoir.common.queries import ROW_ONLY
from comptoir.common.tasks import enqueue_with_change
from comptoir.customers.models import Consent, Customer, Identity
from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_enqueue

from .models import Incident, IncidentTicket, IncidentUpdate, ServiceSubscription

logger = logging.getLogger("comptoir.incidents")

BATCH = 500
KIND = Delivery.Kind.INCIDENT  # the outbox delivery kind of a broadcast
LOST_AFTER = timedelta(minutes=2)  # a broadcast that has not advanced for this long lost its task


def delivery_key(update_id: int, customer_id: int) -> str:
    return f"{KIND}:{update_id}:{customer_id}"


def _key_range(update_id: int) -> tuple[str, str]:
    """Every key of one update lies in [start, end): a range on the outbox's unique index."""
    prefix = f"{KIND}:{update_id}:"
    return prefix, prefix[:-1] + chr(ord(":") + 1)


def reachable() -> Q:
    """Customers we may write to: an email address and email not withdrawn, or a phone and SMS
    consent granted."""
    email = Exists(Identity.objects.filter(customer_id=OuterRef("pk"), kind=Identity.Kind.EMAIL))
    email_withdrawn = Exists(
        Consent.objects.filter(customer_id=OuterRef("pk"), channel=Consent.Channel.EMAIL, granted=False)
    )
    phone = Exists(Identity.objects.filter(customer_id=OuterRef("pk"), kind=Identity.Kind.PHONE))
    sms = Exists(
        Consent.objects.filter(customer_id=OuterRef("pk"), channel=Consent.Channel.SMS, granted=True)
    )
    return (Q(email) & ~Q(email_withdrawn)) | (Q(phone) & Q(sms))


def affected_customers(*, incident: Incident, update: IncidentUpdate | None = None) -> QuerySet[Customer]:
    """The customers an update of ``incident`` reaches (see the module's docstring)."""
    linked = IncidentTicket.objects.filter(incident_id=incident.pk).values("ticket__customer_id")
    who = Q(pk__in=linked)
    if incident.service_id is not None:
        who |= Q(
            pk__in=ServiceSubscription.objects.filter(service_id=incident.service_id).values("customer_id")
        )
    if incident.area:
        who |= Q(area__istartswith=incident.area)
    customers = Customer.objects.filter(who, merged_into__isnull=True).filter(reachable())
    if update is not None:
        done = IncidentTicket.objects.filter(incident_id=incident.pk, resolved_by_id=update.pk)
        customers = customers.exclude(pk__in=done.values("ticket__customer_id"))
    return customers


@dataclass(frozen=True)
class Route:
    channel: str
    recipient: str


def _routes(customer_ids: list[int]) -> dict[int, Route]:
    """Where each customer is reached (two queries for a whole batch)."""
    emails: dict[int, str] = {}
    phones: dict[int, str] = {}
    identities = (
        Identity.objects.filter(
            customer_id__in=customer_ids, kind__in=[Identity.Kind.EMAIL, Identity.Kind.PHONE]
        )
        .order_by("id")
        .values_list("customer_id", "kind", "value")
    )
    for customer_id, kind, value in identities:
        (emails if kind == Identity.Kind.EMAIL else phones).setdefault(customer_id, value)
    consents = {
        (customer_id, channel): granted
        for customer_id, channel, granted in Consent.objects.filter(customer_id__in=customer_ids).values_list(
            "customer_id", "channel", "granted"
        )
    }
    routes = {}
    for customer_id in customer_ids:
        if customer_id in emails and consents.get((customer_id, Consent.Channel.EMAIL), True):
            routes[customer_id] = Route("email", emails[customer_id])
        elif customer_id in phones and consents.get((customer_id, Consent.Channel.SMS), False):
            routes[customer_id] = Route("sms", phones[customer_id])
    return routes


def status_page_url() -> str:
    return settings.BASE_URL.rstrip("/") + reverse("portal:status")


def compose(*, update: IncidentUpdate, language: str, channel: str) -> tuple[str, str]:
    """The update's subject and text in ``language`` (email), or one short text (SMS)."""
    incident = update.incident
    with translation.override(language):
        body = update.body_in(language)
        if channel == "sms":
            text = _("%(reference)s %(title)s: %(body)s %(url)s") % {
                "reference": incident.reference, "title": incident.title, "body": body,
                "url": status_page_url(),
            }  # fmt: skip
            return "", text
        next_at = incident.next_update_at
        context = {
            "incident": incident,
            "body": body,
            "status": Incident.Status(update.status).label,
            "workaround": incident.workaround_in(language),
            "next_update_at": formats.date_format(timezone.localtime(next_at), "DATETIME_FORMAT")
            if next_at
            else "",
            "status_url": status_page_url(),
        }
        if update.resolves:
            subject = _("[%(reference)s] Resolved: %(title)s")
        else:
            subject = _("[%(reference)s] Service incident: %(title)s")
        subject %= {"reference": incident.reference, "title": incident.title}
        return subject, render_to_string("incidents/email/update.txt", context)


def broadcast_start(*, update: IncidentUpdate) -> None:
    """Count the audience and queue the broadcast task; inside the publishing transaction."""
    update.audience = affected_customers(incident=update.incident, update=update).count()
    update.broadcast = IncidentUpdate.Broadcast.RUNNING
    update.broadcast_touched_at = timezone.now()
    update.save(update_fields=["audience", "broadcast", "broadcast_touched_at"])
    from .tasks import incident_broadcast_task

    enqueue_with_change(incident_broadcast_task, update_id=update.pk)


def broadcast_batch(*, update_id: int, limit: int = BATCH) -> int:
    """Queue the next batch of deliveries; returns how many customers it reached (0: finished)."""
    with transaction.atomic():
        update = (
            IncidentUpdate.objects.select_for_update(of=ROW_ONLY)
            .select_related("incident")
            .filter(pk=update_id)
            .first()
        )
        if update is None or update.broadcast == IncidentUpdate.Broadcast.DONE:
            return 0
        batch = list(
            affected_customers(incident=update.incident, update=update)
            .filter(pk__gt=update.broadcast_cursor)
            .order_by("pk")
            .values_list("pk", "language")[:limit]
        )
        now = timezone.now()
        if not batch:
            update.broadcast, update.broadcast_touched_at = IncidentUpdate.Broadcast.DONE, now
            update.save(update_fields=["broadcast", "broadcast_touched_at"])
            return 0
        ids = [pk for pk, _language in batch]
        routes = _routes(ids)
        start, end = _key_range(update.pk)
        already = set(
            Delivery.objects.filter(
                idempotency_key__gte=start, idempotency_key__lt=end, customer_id__in=ids
            ).values_list("customer_id", flat=True)
        )
        tickets = dict(
            IncidentTicket.objects.filter(incident_id=update.incident_id, ticket__customer_id__in=ids)
            .order_by("ticket_id")
            .values_list("ticket__customer_id", "ticket_id")
        )
        texts: dict[tuple[str, str], tuple[str, str]] = {}
        queued = 0
        for customer_id, language in batch:
            route = routes.get(customer_id)
            if route is None or customer_id in already:
                continue
            language = "fr" if (language or "").startswith("fr") else "en"
            if (language, route.channel) not in texts:
                texts[language, route.channel] = compose(
                    update=update, language=language, channel=route.channel
                )
            subject, body = texts[language, route.channel]
            delivery_enqueue(
                key=delivery_key(update.pk, customer_id), kind=KIND, channel=route.channel,
                recipient=route.recipient, subject=subject, body=body, customer_id=customer_id,
                ticket_id=tickets.get(customer_id),
                headers={"Content-Language": language} if route.channel == "email" else None,
            )  # fmt: skip
            queued += 1
        update.broadcast_cursor = ids[-1]
        update.enqueued += queued
        update.broadcast_touched_at = now
        update.save(update_fields=["broadcast_cursor", "enqueued", "broadcast_touched_at"])
    return len(batch)


def broadcast_run(*, update_id: int, limit: int = BATCH, max_batches: int | None = None) -> int:
    """Run batches until the broadcast is done (or ``max_batches``); returns the batches run."""
    runs = 0
    while max_batches is None or runs < max_batches:
        if not broadcast_batch(update_id=update_id, limit=limit):
            break
        runs += 1
    return runs


def broadcast_sweep(*, now: datetime | None = None, limit: int = 20) -> int:
    """The worker's safety net: finish the broadcasts whose task was lost (not advanced lately)."""
    cutoff = (now or timezone.now()) - LOST_AFTER
    lost = list(
        IncidentUpdate.objects.exclude(broadcast=IncidentUpdate.Broadcast.DONE)
        .filter(broadcast_touched_at__lt=cutoff)
        .order_by("broadcast_touched_at")
        .values_list("pk", flat=True)[:limit]
    )
    for update_id in lost:
        try:
            broadcast_run(update_id=update_id)
        except Exception:
            logger.exception("incident broadcast %s failed in the sweep", update_id)
    if lost:
        logger.warning("%s incident broadcast(s) resumed by the sweep: their task was lost", len(lost))
    return len(lost)


@dataclass(frozen=True)
class Progress:
    state: str
    sent: int
    failed: int
    pending: int
    total: int


def broadcast_progress(*, update: IncidentUpdate) -> Progress:
    """Sent, failed and pending (queued in the outbox, or not yet queued), read from the
    deliveries themselves: one grouped query on the outbox's unique key range."""
    start, end = _key_range(update.pk)
    counts = dict(
        Delivery.objects.filter(idempotency_key__gte=start, idempotency_key__lt=end)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    sent = counts.get(Delivery.Status.SENT, 0)
    failed = counts.get(Delivery.Status.FAILED, 0)
    queued = counts.get(Delivery.Status.PENDING, 0) + counts.get(Delivery.Status.SENDING, 0)
    created = sent + failed + queued
    waiting = 0 if update.broadcast == IncidentUpdate.Broadcast.DONE else max(update.audience - created, 0)
    return Progress(
        state=update.broadcast, sent=sent, failed=failed, pending=queued + waiting, total=created + waiting
    )
