"""Triage: the queue of tickets the classifier was unsure about."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from comptoir.common.exceptions import PermissionDenied
from comptoir.triage.selectors import triage_queue

from . import serializers as out
from .schemas import ERRORS, TriageItemOut

router = Router(tags=["triage"])


@router.get(
    "/triage/queue",
    response={200: list[TriageItemOut], **ERRORS},
    operation_id="comptoir_api_work_triage_list",
)
def triage_list(request: HttpRequest, limit: int = 50):  # type: ignore[no-untyped-def]
    if not (request.auth.is_agent or request.auth.is_superuser):
        raise PermissionDenied(_("Only agents can read the triage queue."))
    return [
        {
            "ticket": out.ticket(t),
            "predicted": t.triage.label,
            "predicted_name": str(t.predicted_category) if t.predicted_category else t.triage.label,
            "confidence": t.triage.confidence,
            "language": t.triage.language,
        }
        for t in triage_queue(limit=max(1, min(limit, 200)))
    ]
