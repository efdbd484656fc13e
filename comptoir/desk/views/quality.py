"""The managers' quality dashboard (issue 12, item 6): ``quality/`` (figures, charts, tables, CSV
of each table) and ``quality/tickets/`` (the tickets behind a figure, paged, and their CSV).
Supervisors and administrators only (``User.supervises``); other agents get a 403."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from comptoir.common.exceptions import DomainError
from comptoir.insights.selectors import (
    figure_ticket_count,
    figure_ticket_rows,
    figure_tickets,
    figure_tickets_page,
    figures_updated_at,
    metrics,
    metrics_may_read,
)

from ..quality_dashboard import (
    DrillForm,
    Links,
    QualityFilterForm,
    csv_lines,
    dashboard_tables,
    drill_titles,
    table_csv,
    ticket_columns,
    ticket_csv_row,
    ticket_lines,
)
from .common import agent_required

PAGE_SIZE = 50
EXPORT_BATCH = 1000


def _supervisor(request: HttpRequest) -> None:
    if not metrics_may_read(actor=request.user):
        raise Forbidden(_("Only supervisors can read these figures."))


def _csv(lines: Iterator[str], name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@agent_required
def quality(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    form = QualityFilterForm(request.GET)
    context: dict = {"form": form}
    if form.is_valid():
        filters = form.filters()
        result = metrics(filters, with_counts=True)
        tables = dashboard_tables(filters, result, result.pop("counts"), Links(form.query()))
        export = request.GET.get("export")
        if export:
            table = next((t for t in tables if t.key == export), None)
            if table is None:
                raise Http404
            return _csv(table_csv(table), f"comptoir-{table.key}-{filters.start}-{filters.end}")
        context |= {
            "result": result, "tables": tables, "updated_at": figures_updated_at(),
            "qs": urlencode(form.query()),
        }  # fmt: skip
    template = "desk/quality/dashboard.html#figures" if request.htmx else "desk/quality/dashboard.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@agent_required
def quality_tickets(request: HttpRequest) -> HttpResponse:
    _supervisor(request)
    form = DrillForm(request.GET)
    if not form.is_valid():
        if "drill" in form.errors:
            raise Http404
        return render(request, "desk/quality/tickets.html", {"form": form}, status=400)
    filters, drill, band = form.filters(), form.cleaned_data["drill"], form.cleaned_data["band"] or None
    if request.GET.get("export") == "csv":

        def rows() -> Iterator[list[object]]:
            batch = []
            for fact in figure_tickets(filters, drill, band=band).iterator(chunk_size=EXPORT_BATCH):
                batch.append(fact)
                if len(batch) == EXPORT_BATCH:
                    yield from map(ticket_csv_row, figure_ticket_rows(batch))
                    batch = []
            yield from map(ticket_csv_row, figure_ticket_rows(batch))

        return _csv(csv_lines(ticket_columns(), rows()), f"comptoir-{drill}-{filters.start}-{filters.end}")
    try:
        page = figure_tickets_page(filters, drill, band=band, cursor=form.cleaned_data["cursor"] or None,
                                   limit=PAGE_SIZE)  # fmt: skip
    except DomainError as exc:  # a tampered cursor
        return render(request, "desk/quality/tickets.html", {"form": form, "error": exc.message}, status=400)
    query = dict(form.query(), drill=drill, **({"band": band} if band else {}))
    context = {
        "form": form, "title": drill_titles()[drill], "drill": drill, "page": page, "filters": filters,
        "rows": ticket_lines(figure_ticket_rows(page.items)),
        "total": figure_ticket_count(filters, drill, band=band),
        "qs": urlencode(query), "dashboard_qs": urlencode(form.query()),
    }  # fmt: skip
    return render(request, "desk/quality/tickets.html", context)
