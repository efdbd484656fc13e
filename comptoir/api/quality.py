"""Corrective actions of the quality thresholds (issue 12, item 7): ``GET /quality/actions``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from comptoir.insights.models import CorrectiveAction
from comptoir.insights.thresholds import SHARES, action_list, action_tickets_url

from .schemas import ERRORS

router = Router(tags=["quality"])


class ActionOut(Schema):
    id: int
    title: str
    status: str = Field(description="open or done")
    owner: str = Field(description="the owner's email")
    figure: str = Field(description="the figure's name, as in GET /metrics")
    unit: str = Field(description="percent (shares), minutes (times) or value")
    figure_value: float = Field(description="the figure when it crossed, in ``unit``")
    threshold_value: float = Field(description="the threshold, in ``unit``")
    comparison: str = Field(description="below or above")
    window_start: date
    window_end: date
    tickets_url: str = Field(description="the dashboard's list of the figure's tickets (a path)")
    note: str
    created_at: datetime
    done_at: datetime | None
    done_by: str | None


class ActionFilter(Schema):
    status: Literal["open", "done"] | None = None
    limit: int = Field(default=100, ge=1, le=200)


def _action(a: CorrectiveAction) -> dict:
    unit = "percent" if a.figure in SHARES else "minutes" if "_minutes_" in a.figure else "value"
    return {
        "id": a.pk, "title": a.title, "status": a.status, "owner": a.owner.email, "figure": a.figure,
        "unit": unit, "figure_value": a.figure_value, "threshold_value": a.threshold_value,
        "comparison": a.threshold.comparison, "window_start": a.window_start, "window_end": a.window_end,
        "tickets_url": action_tickets_url(a), "note": a.note, "created_at": a.created_at,
        "done_at": a.done_at, "done_by": a.done_by.email if a.done_by else None,
    }  # fmt: skip


@router.get(
    "/quality/actions", response={200: list[ActionOut], **ERRORS}, operation_id="comptoir_api_quality_actions"
)
def quality_actions(request: HttpRequest, filters: Query[ActionFilter]):  # type: ignore[no-untyped-def]
    """Corrective actions opened by quality thresholds, newest first: an agent's own, a
    supervisor's all."""
    rows = action_list(actor=request.auth, status=filters.status, limit=filters.limit)  # type: ignore[attr-defined]
    return [_action(a) for a in rows]
