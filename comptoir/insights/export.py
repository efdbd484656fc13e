"""The figures as CSV rows: ``GET /api/v1/metrics`` with ``Accept: text/csv`` and the dashboard.

One row for the period, then one per month, with the nested figures flattened
(``first_response_minutes_median``...). Cells a spreadsheet would run as a formula are quoted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from .selectors import BACKLOG_BANDS

COLUMNS: tuple[str, ...] = (
    "period", "tickets_created", "tickets_resolved", "level1_resolution_share", "escalated_share",
    "complaints", "unhappy", "reopened", "first_response_sla_met_share", "resolution_sla_met_share",
    "first_response_minutes_median", "first_response_minutes_p90", "resolution_minutes_median",
    "resolution_minutes_p90", "csat_average", "ces_average", "effort_average", "high_effort",
    "negative_share", *(f"backlog_{key}" for key, _low, _high in BACKLOG_BANDS),
)  # fmt: skip


def safe_cell(value: object) -> object:
    """A text cell starting with = + - @ (or a tab / carriage return) is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _flat(label: str, figures: dict) -> list[object]:
    row: dict[str, object] = {"period": label}
    for name in COLUMNS[1:]:
        for prefix in ("first_response_minutes", "resolution_minutes"):
            if name.startswith(prefix + "_"):
                row[name] = figures[prefix][name.removeprefix(prefix + "_")]
                break
        else:
            if name.startswith("backlog_"):
                bands = figures.get("backlog_by_age") or {}
                row[name] = bands.get(name.removeprefix("backlog_"))
            else:
                row[name] = figures.get(name)
    return [row[name] for name in COLUMNS]


def metrics_rows(result: dict) -> list[list[object]]:
    """The period's row (``from..to``), then each month's (``YYYY-MM``; backlog left empty)."""
    period = f"{result['period']['from']}..{result['period']['to']}"
    return [_flat(period, result)] + [_flat(month["month"], month) for month in result["months"]]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
