from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from comptoir.common.ids import is_row_id
from comptoir.customers.models import Consent, Customer, Identity
from comptoir.customers.services import customer_merge_check
from comptoir.tickets.models import Ticket

from .models import InboundRecord

# A record still ``received`` after this long was interrupted between store and processing: the
# worker's sweep processes it and the desk lists it as waiting. Normal processing takes seconds.
RECEIVED_STALE_AFTER = timedelta(minutes=5)


def _listed(qs: QuerySet[InboundRecord]) -> QuerySet[InboundRecord]:
    """Without raw bytes or payload (a list must stay light), with who sent it and what about:
    taken from the headers when an email is stored, from the submission for other channels."""
    return qs.defer("raw", "payload").annotate(
        sender=Coalesce(
            KT("payload__sender"), KT("payload__customer__email"), KT("payload__customer__phone")
        ),
        subject=KT("payload__subject"),
    )


def inbound_failed(*, limit: int = 200) -> list[InboundRecord]:
    """Kept failures, newest first."""
    return list(
        _listed(InboundRecord.objects.filter(status=InboundRecord.Status.FAILED)).order_by("-id")[:limit]
    )


def inbound_waiting(
    *, older_than: timedelta = RECEIVED_STALE_AFTER, channel: str | None = None, limit: int = 200
) -> list[InboundRecord]:
    """Records stored but still not processed after ``older_than``, oldest first."""
    qs = InboundRecord.objects.filter(
        status=InboundRecord.Status.RECEIVED, received_at__lte=timezone.now() - older_than
    )
    if channel is not None:
        qs = qs.filter(channel=channel)
    return list(_listed(qs).order_by("id")[:limit])


def inbound_get(*, record_id: int, channel: str) -> InboundRecord | None:
    """One record of a channel, or None (also for an id no database could hold)."""
    if not is_row_id(record_id):
        return None
    return InboundRecord.objects.filter(pk=record_id, channel=channel).first()


def inbound_status_counts() -> list[tuple[str, str, int]]:
    """(status, translated label, count) for every status that has records, in workflow order."""
    counts = inbound_counts()
    return [(s.value, str(s.label), counts[s.value]) for s in InboundRecord.Status if counts.get(s.value)]


def inbound_counts() -> dict[str, int]:
    from django.db.models import Count

    return dict(
        InboundRecord.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )


@dataclass(frozen=True)
class MergeSide:
    """One record as the merge confirmation shows it."""

    customer: Customer
    identities: list[Identity]
    consents: list[Consent]
    open_tickets: list[Ticket]
    ticket_count: int


def _merge_side(customer: Customer) -> MergeSide:
    tickets = Ticket.objects.filter(customer_id=customer.pk)
    return MergeSide(
        customer=customer,
        identities=list(customer.identities.order_by("kind", "value")),
        consents=list(Consent.objects.filter(customer_id=customer.pk).order_by("channel")),
        open_tickets=list(tickets.filter(is_open=True).order_by("-updated_at", "-id")[:20]),
        ticket_count=tickets.count(),
    )


def customer_merge_preview(*, source_id: int, target_id: int) -> tuple[MergeSide, MergeSide]:
    """Both records side by side before a merge, refused exactly as the merge itself would be."""
    found = {
        c.pk: c
        for c in Customer.objects.filter(pk__in=[pk for pk in (source_id, target_id) if is_row_id(pk)])
    }
    source, target = customer_merge_check(source=found.get(source_id), target=found.get(target_id))
    return _merge_side(source), _merge_side(target)
