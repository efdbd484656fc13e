"""The outbox's backlog for supervisors: is mail leaving, and how far behind is it."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from comptoir.common.exceptions import PermissionDenied
from comptoir.outbox.selectors import outbox_backlog

from .schemas import ErrorOut

router = Router(tags=["outbox"])
ERRORS = dict.fromkeys([401, 403], ErrorOut)


class OutboxStatsOut(Schema):
    pending: int
    due: int
    oldest_pending_age_s: float | None
    sending: int
    sending_lease_expired: int
    failed: int


@router.get("/stats/outbox", response={200: OutboxStatsOut, **ERRORS})
def outbox_stats(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Deliveries waiting (and the oldest one's age in seconds), due, being sent, lost, failed."""
    if not request.auth.supervises:
        raise PermissionDenied(_("Only supervisors can read these figures."))
    return asdict(outbox_backlog())
