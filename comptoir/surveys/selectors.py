"""Reads of surveys and of the voice-of-customer log; each applies who may read it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import PermissionDenied
from comptoir.common.paging import Page, cursor_datetime, cursor_int, keyset_page
from comptoir.tickets.models import Ticket

from .models import Survey, VocEntry
from .services import fold, voc_may_use

VOC_PAGE = 50
VOC_ORDER = ["-created_at", "-id"]


def survey_for_ticket(*, actor: User, ticket: Ticket) -> Survey | None:
    """A ticket's survey for the desk and the API (``ticket`` already read through the actor's
    visibility by ``tickets.selectors.ticket_get``)."""
    if not voc_may_use(actor):
        return None
    return Survey.objects.filter(ticket_id=ticket.pk).first()


def voc_list(
    *,
    actor: User,
    customer_id: int | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: int = VOC_PAGE,
) -> Page:
    """Newest first, keyset-paged on ``voc_recent_idx`` (or ``voc_customer_idx`` for one customer).

    The text filter is a substring of ``search_text`` (comment and customer's name, folded):
    the database walks the index in date order and stops at a page of matches, so a frequent word
    costs one page; a rare word over a long log scans it (the search app's full-text index is the
    way up if the log grows into the hundreds of thousands)."""
    if not voc_may_use(actor):
        raise PermissionDenied(_("Only agents can read the voice-of-customer log."))
    qs = VocEntry.objects.select_related("customer", "author", "ticket", "survey")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    words = fold(q or "")[:200]
    if words:
        qs = qs.filter(search_text__contains=words)
    return keyset_page(
        qs, ordering=VOC_ORDER, cursor=cursor, limit=max(1, min(limit, 200)),
        key=lambda e: [e.created_at.isoformat(), e.pk], types=[cursor_datetime, cursor_int],
    )  # fmt: skip
