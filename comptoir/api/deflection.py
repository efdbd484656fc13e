"""Portal deflection figures (issue 11, item 6): how often the help articles suggested while a
customer types a request answered it, for supervisors and administrators."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from comptoir.common.exceptions import PermissionDenied
from comptoir.knowledge.selectors import deflection_figures, deflection_may_read

from .schemas import ErrorOut

router = Router(tags=["knowledge"])
ERRORS = dict.fromkeys([401, 403, 422], ErrorOut)


class DeflectionParams(Schema):
    days: int = Field(default=30, ge=1, le=365, description="The period: the last so many days.")


class DeflectionOut(Schema):
    days: int
    since: datetime = Field(description="Start of the period (visits first shown suggestions since).")
    window_minutes: int = Field(description="An open followed by no request for this long is a deflection.")
    visits: int = Field(description="Request forms shown at least one suggested article.")
    opened: int = Field(description="Suggested articles opened (once per article and visit).")
    deflected: int = Field(description="Visits where an article was opened and no request followed in time.")
    submitted: int = Field(description="Visits shown suggestions whose request was sent anyway.")
    pending: int = Field(description="Article opened less than the window ago, no request yet: not counted.")
    rate: float | None = Field(description="deflected / (deflected + submitted); null when both are 0.")


@router.get(
    "/knowledge/deflection", response={200: DeflectionOut, **ERRORS}, operation_id="knowledge_deflection"
)
def deflection_view(request: HttpRequest, params: Query[DeflectionParams]):  # type: ignore[no-untyped-def]
    """Self-service on the portal over the last ``days`` days (supervisors and administrators)."""
    if not deflection_may_read(actor=request.auth):
        raise PermissionDenied(_("Only supervisors can read these figures."))
    f = deflection_figures(days=params.days)
    return {
        "days": f.days, "since": f.since, "window_minutes": f.window_minutes, "visits": f.visits,
        "opened": f.opened, "deflected": f.deflected, "submitted": f.submitted, "pending": f.pending,
        "rate": f.rate,
    }  # fmt: skip
