"""Quality figures (issue 12, item 9): ``GET /metrics``, as JSON or, with ``Accept: text/csv``, CSV."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from comptoir.common.exceptions import InvalidInput, PermissionDenied
from comptoir.insights.export import COLUMNS, csv_text, metrics_rows
from comptoir.insights.selectors import Filters, filters_resolve, metrics, metrics_may_read

from .schemas import ErrorOut, Text

router = Router(tags=["quality"])
# A day as people write it, YYYY-MM-DD; nothing else (pydantic would read "0" as a Unix time).
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-03-01"])]
ERRORS = dict.fromkeys([401, 403, 422], ErrorOut)
LONGEST = timedelta(days=3 * 366)


class MetricsParams(Schema):
    model_config = ConfigDict(populate_by_name=True)

    start: Day | None = Field(
        default=None,
        alias="from",
        description="First day of the period (default: 1st of the month, 5 months ago).",
    )
    end: Day | None = Field(default=None, alias="to", description="Last day of the period (default: today).")
    team: int | None = Field(default=None, ge=1, description="A team's id.")
    category: Text | None = Field(default=None, max_length=50, description="A category's slug or id.")
    channel: Text | None = Field(
        default=None, max_length=10, description="web, email, sms, chat, phone, api."
    )


class Spread(Schema):
    median: float | None = Field(description="Minutes; null when no ticket counts.")
    p90: float | None


class Backlog(Schema):
    under_1_day: int
    one_to_3_days: int = Field(alias="1_to_3_days")
    three_to_7_days: int = Field(alias="3_to_7_days")
    seven_to_30_days: int = Field(alias="7_to_30_days")
    over_30_days: int


class Figures(Schema):
    tickets_created: int = Field(description="Tickets created in the period.")
    tickets_resolved: int = Field(description="Tickets (last) resolved in the period.")
    level1_resolution_share: float | None = Field(description="Resolved without escalation / resolved.")
    escalated_share: float | None = Field(description="Resolved after an escalation to level 2 / resolved.")
    complaints: int = Field(description="Tickets created in a complaint category.")
    unhappy: int = Field(description="Tickets created whose customer showed anger or distress.")
    reopened: int = Field(description="Reopenings of the tickets resolved in the period.")
    first_response_sla_met_share: float | None = Field(
        description="Tickets created with a first-response target answered in time / those decided."
    )
    resolution_sla_met_share: float | None = Field(
        description="Tickets resolved with a resolution target met / those with a target."
    )
    first_response_minutes: Spread = Field(description="Creation to first public answer, wall clock.")
    resolution_minutes: Spread = Field(description="Creation to last resolution, wall clock.")
    csat_average: float | None = Field(description="Survey satisfaction, 1 to 5.")
    ces_average: float | None = Field(description="Survey effort, 1 (easy) to 7.")
    effort_average: float | None = Field(description="Computed customer-effort score.")
    high_effort: int
    negative_share: float | None = Field(description="Negative customer messages / messages scored.")


class Month(Figures):
    month: str = Field(description="YYYY-MM")


class Period(Schema):
    start: date = Field(alias="from")
    end: date = Field(alias="to")


class MetricsOut(Figures):
    period: Period
    percentiles: str = Field(description="exact, or estimated from histograms for large periods.")
    backlog_by_age: Backlog = Field(description="Open tickets now, by age (the period does not apply).")
    backlog: int
    months: list[Month]


def _day(text: str | None, field: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:  # 2026-02-30
        raise InvalidInput(_("Write days as YYYY-MM-DD."), field=field) from exc


@router.get(
    "/metrics",
    response={200: MetricsOut, **ERRORS},
    operation_id="quality_metrics",
    by_alias=True,
    openapi_extra={
        "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    },
)
def metrics_view(request: HttpRequest, params: Query[MetricsParams]):  # type: ignore[no-untyped-def]
    """The quality dashboard's figures for a period (supervisors and administrators)."""
    if not metrics_may_read(actor=request.auth):
        raise PermissionDenied(_("Only supervisors can read these figures."))
    today = timezone.localdate()
    end = _day(params.end, "to") or today
    given_start = _day(params.start, "from")
    first = end.replace(day=1)
    for _month in range(5):
        first = (first - timedelta(days=1)).replace(day=1)
    start = given_start or first
    if start > end:
        raise InvalidInput(_("The period ends before it starts."), field="from")
    if end - start > LONGEST:
        raise InvalidInput(_("The period may cover at most three years."), field="from")
    filters: Filters = filters_resolve(
        start=start, end=end, team=params.team, category=params.category, channel=params.channel
    )
    result = metrics(filters)
    if "text/csv" in request.headers.get("Accept", ""):
        response = HttpResponse(
            csv_text(COLUMNS, metrics_rows(result)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="comptoir-metrics-{start}-{end}.csv"'
        return response
    return result
