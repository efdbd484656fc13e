"""The managers' quality dashboard on the desk (issue 12, item 6): its filters, its tables and
charts built from ``insights.selectors.metrics``, and their CSV.

Every number comes from ``metrics`` (shares, averages, medians and percentiles) or from
``figure_counts`` (the tickets those shares count, from the same daily cells); nothing is counted
here. Each count of tickets links to ``quality/tickets/`` with the drill that lists exactly the
tickets it counts (``insights.selectors.DRILLS``); a month's cells narrow the period to that month.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.urls import reverse, reverse_lazy
from django.utils import dateformat, formats, timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from comptoir.insights.selectors import BACKLOG_BANDS, DRILLS, FigureTicket, Filters, SlaOutcome
from comptoir.routing.selectors import team_list
from comptoir.tickets.models import Channel
from comptoir.tickets.selectors import category_list

from .charts import Series, bar_chart, line_chart
from .views.voc import _customer_id

LONGEST = timedelta(days=3 * 366)
MONTHS_BACK = 6  # the default period: the last six full months and the current one


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - MONTHS_BACK, 12)
    return date(year, month + 1, 1), today


def month_starts(start: date, end: date) -> list[date]:
    out, current = [], start.replace(day=1)
    while current <= end:
        out.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return out


def month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


# --- Filters -------------------------------------------------------------------------------------


class QualityFilterForm(forms.Form):
    """The dashboard's filters, read from the URL (``from``, ``to``, ``team``, ``category``,
    ``channel``, ``customer``); the same on the drill-down list."""

    start = forms.DateField(
        label=gettext_lazy("From"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    end = forms.DateField(
        label=gettext_lazy("To"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(
        label=gettext_lazy("Category"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    customer = forms.CharField(
        label=gettext_lazy("Customer"), required=False, max_length=200,
        widget=forms.TextInput(attrs={
            "list": "quality-customer-options", "autocomplete": "off", "data-testid": "quality-customer",
            "hx-get": reverse_lazy("desk:voc_customers"), "hx-trigger": "input changed delay:250ms",
            "hx-target": "#quality-customer-options", "hx-swap": "innerHTML", "hx-sync": "this:replace",
        }),
    )  # fmt: skip

    # The URL says from= and to= (as the API and the thresholds' links do).
    URL_NAMES = {"start": "from", "end": "to"}

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            start, end = default_period()
            if not data.get("from"):
                data["from"] = start.isoformat()
            if not data.get("to"):
                data["to"] = end.isoformat()
        super().__init__(data, **kwargs)
        self.fields["team"].choices = [("", _("All teams"))] + [(t.pk, t.name) for t in team_list()]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("All categories"))] + [  # type: ignore[attr-defined]
            (c.pk, str(c)) for c in category_list()
        ]
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]  # type: ignore[attr-defined]

    def add_prefix(self, field_name: str) -> str:
        return self.URL_NAMES.get(field_name, field_name)

    def clean_customer(self) -> int | None:
        text = self.cleaned_data["customer"]
        if not text.strip():
            return None
        customer_id = _customer_id(text)
        if customer_id is None:
            raise forms.ValidationError(_("Choose one customer from the list."))
        return customer_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("start", _("The period ends before it starts."))
        elif start and end and end - start > LONGEST:
            self.add_error("start", _("The period may cover at most three years."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            start=data["start"], end=data["end"], team_id=data["team"], category_id=data["category"],
            channel=data["channel"] or None, customer_id=data["customer"],
        )  # fmt: skip

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (the customer as ``#id``), for links and the CSV."""
        data, out = self.cleaned_data, {}
        out["from"], out["to"] = data["start"].isoformat(), data["end"].isoformat()
        for name in ("team", "category"):
            if data[name] is not None:
                out[name] = str(data[name])
        if data["channel"]:
            out["channel"] = data["channel"]
        if data["customer"] is not None:
            out["customer"] = f"#{data['customer']}"
        return out


class DrillForm(QualityFilterForm):
    """The filters, and which figure's tickets to list."""

    drill = forms.ChoiceField(choices=[(name, name) for name in DRILLS])
    band = forms.ChoiceField(required=False, choices=[("", "")] + [(key, key) for key, *_r in BACKLOG_BANDS])
    cursor = forms.CharField(required=False, max_length=500)


# --- Formatting ----------------------------------------------------------------------------------


def count_text(value: int) -> str:
    return formats.number_format(value)


def percent_text(share: float | None) -> str:
    if share is None:
        return "—"
    return _("%(value)s %%") % {"value": formats.number_format(round(share * 100, 1), 1)}


def average_text(value: float | None) -> str:
    return "—" if value is None else formats.number_format(value, 2)


def duration_text(minutes: float | None) -> str:
    """Minutes as a person reads them: ``45 min``, ``18 h 48``, ``2 d 3 h``."""
    if minutes is None:
        return "—"
    if minutes < 60:
        places = 0 if float(minutes).is_integer() else 1
        return _("%(minutes)s min") % {"minutes": formats.number_format(minutes, places)}
    whole = round(minutes)
    if whole < 24 * 60:
        return _("%(hours)d h %(minutes)02d") % {"hours": whole // 60, "minutes": whole % 60}
    return _("%(days)d d %(hours)d h") % {"days": whole // 1440, "hours": (whole % 1440) // 60}


def percent_of(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 2)


# --- Tables --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One value: how it reads, what the CSV holds (and ``<data value>``), where it leads."""

    text: str
    value: object = None
    href: str | None = None


@dataclass(frozen=True)
class Row:
    label: str
    csv_label: str
    cells: list[Cell]
    total: bool = False


@dataclass
class Table:
    key: str
    title: str
    caption: str
    columns: list[str]
    rows: list[Row]
    charts: list[SafeString] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Slot:
    """A row of a monthly table: a month (or the whole period), its figures and counters, and
    the days its drill-down links cover."""

    label: str
    short: str
    csv_label: str
    start: date
    end: date
    figures: dict
    counts: dict
    total: bool = False


class Links:
    """Drill-down URLs carrying the dashboard's filters."""

    def __init__(self, query: dict[str, str]) -> None:
        self.query = query
        self.base = reverse("desk:quality_tickets")

    def __call__(self, drill: str, slot: Slot | None = None, *, band: str | None = None) -> str:
        params = dict(self.query, drill=drill)
        if slot is not None:
            params["from"], params["to"] = slot.start.isoformat(), slot.end.isoformat()
        if band:
            params["band"] = band
        return f"{self.base}?{urlencode(params)}"


def _slots(filters: Filters, result: dict, counts: dict) -> list[Slot]:
    by_month = {m["month"]: m for m in result["months"]}
    slots = []
    for first in month_starts(filters.start, filters.end):
        key = first.strftime("%Y-%m")
        slots.append(
            Slot(
                label=dateformat.format(first, "F Y"), short=dateformat.format(first, "M y"), csv_label=key,
                start=max(first, filters.start), end=min(month_end(first), filters.end),
                figures=by_month.get(key, {}), counts=counts.get(key, {}),
            )
        )  # fmt: skip
    slots.append(
        Slot(
            label=_("Whole period"), short=_("Whole period"),
            csv_label=f"{filters.start.isoformat()}..{filters.end.isoformat()}",
            start=filters.start, end=filters.end, figures=result, counts=counts.get(None, {}), total=True,
        )
    )  # fmt: skip
    return slots


def _count(slot: Slot, counter: str, drill: str | None, links: Links) -> Cell:
    value = int(slot.counts.get(counter, 0))
    return Cell(count_text(value), value, links(drill, slot) if drill and value else None)


def _share(slot: Slot, name: str) -> Cell:
    share = slot.figures.get(name)
    return Cell(percent_text(share), percent_of(share))


def _minutes(slot: Slot, name: str, which: str) -> Cell:
    value = (slot.figures.get(name) or {}).get(which)
    return Cell(duration_text(value), value)


def _average(slot: Slot, name: str) -> Cell:
    value = slot.figures.get(name)
    return Cell(average_text(value), value)


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


SAME_NUMBERS = gettext_lazy(
    "The table beside this chart holds the same numbers, each one a link to its tickets."
)


class Sections:
    """Builds each section of the dashboard: a table (months, then the whole period) and its
    charts (months only)."""

    def __init__(self, filters: Filters, result: dict, counts: dict, links: Links) -> None:
        self.result, self.links = result, links
        self.slots = _slots(filters, result, counts)
        self.months = [s for s in self.slots if not s.total]
        self.labels = [s.short for s in self.months]

    def table(
        self, key: str, title: str, caption: str, columns: list[str], cells: Callable[[Slot], list[Cell]]
    ) -> Table:
        rows = [Row(s.label, s.csv_label, cells(s), s.total) for s in self.slots]
        return Table(key=key, title=title, caption=caption, columns=[_("Month"), *columns], rows=rows)

    def count(self, slot: Slot, counter: str, drill: str | None = None) -> Cell:
        return _count(slot, counter, drill, self.links)

    def counted(
        self, label: str, counter: str, drill: str, text: Callable[[Slot], str] | None = None
    ) -> Series:
        """A series of ticket counts, each bar opening its month's tickets."""
        return Series(
            label=label,
            values=[int(s.counts.get(counter, 0)) for s in self.months],
            texts=[text(s) if text else count_text(int(s.counts.get(counter, 0))) for s in self.months],
            links=[self.links(drill, s) if s.counts.get(counter) else None for s in self.months],
        )

    def measured(
        self,
        label: str,
        value: Callable[[Slot], float | None],
        text: Callable[[Slot], str],
        drill: str,
        counter: str,
    ) -> Series:
        """A series of shares, averages or times, each point opening the tickets it is made of."""
        return Series(
            label=label,
            values=[value(s) for s in self.months],
            texts=[text(s) for s in self.months],
            links=[self.links(drill, s) if s.counts.get(counter) else None for s in self.months],
        )

    def chart_bars(self, key: str, title: str, series: list[Series], **kwargs: Any) -> SafeString:
        return bar_chart(
            chart_id=f"chart-{key}", title=title, description=str(SAME_NUMBERS), labels=self.labels,
            series=series, **kwargs,
        )  # fmt: skip

    def chart_lines(self, key: str, title: str, series: list[Series], **kwargs: Any) -> SafeString:
        return line_chart(
            chart_id=f"chart-{key}", title=title, description=str(SAME_NUMBERS), labels=self.labels,
            series=series, **kwargs,
        )  # fmt: skip

    def volume(self) -> Table:
        table = self.table(
            "volume",
            _("Tickets per month"),
            _("Tickets created and resolved per month"),
            [_("Created"), _("Resolved")],
            lambda s: [self.count(s, "created", "created"), self.count(s, "resolved", "resolved")],
        )
        series = [
            self.counted(_("Created"), "created", "created"),
            self.counted(_("Resolved"), "resolved", "resolved"),
        ]
        table.charts.append(self.chart_bars("volume", _("Tickets created and resolved per month"), series))
        return table

    def levels(self) -> Table:
        table = self.table(
            "levels",
            _("Resolved at level 1 or escalated"),
            _("Tickets resolved per month: at level 1, or after an escalation to level 2"),
            [_("Resolved"), _("At level 1"), _("Level-1 share"), _("Escalated"), _("Escalated share")],
            lambda s: [
                self.count(s, "resolved", "resolved"),
                self.count(s, "resolved_level1", "resolved_level1"),
                _share(s, "level1_resolution_share"),
                self.count(s, "escalated", "escalated"),
                _share(s, "escalated_share"),
            ],
        )

        def text(counter: str, share: str) -> Callable[[Slot], str]:
            return lambda s: (
                f"{count_text(int(s.counts.get(counter, 0)))} ({percent_text(s.figures.get(share))})"
            )

        series = [
            self.counted(
                _("At level 1"), "resolved_level1", "resolved_level1",
                text("resolved_level1", "level1_resolution_share"),
            ),
            self.counted(_("Escalated"), "escalated", "escalated", text("escalated", "escalated_share")),
        ]  # fmt: skip
        title = _("Tickets resolved at level 1 and escalated, per month")
        table.charts.append(self.chart_bars("levels", title, series, stacked=True))
        return table

    def complaints(self) -> Table:
        table = self.table(
            "complaints",
            _("Complaints"),
            _("Complaints and unhappy customers, by month created"),
            [_("Complaints"), _("Unhappy customers")],
            lambda s: [self.count(s, "complaints", "complaints"), self.count(s, "unhappy", "unhappy")],
        )
        series = [
            self.counted(_("Complaints"), "complaints", "complaints"),
            self.counted(_("Unhappy customers"), "unhappy", "unhappy"),
        ]
        table.charts.append(
            self.chart_bars("complaints", _("Complaints and unhappy customers per month"), series)
        )
        return table

    def sla(self) -> Table:
        def cells(s: Slot) -> list[Cell]:
            out = []
            for target in ("first_response", "resolution"):
                due = int(s.counts.get(f"{target}_sla_due", 0))
                met = int(s.counts.get(f"{target}_sla_met", 0))
                missed = due - met
                out += [
                    Cell(count_text(due), due, self.links(f"{target}_sla_due", s) if due else None),
                    Cell(count_text(met), met, self.links(f"{target}_sla_met", s) if met else None),
                    Cell(
                        count_text(missed), missed, self.links(f"{target}_sla_missed", s) if missed else None
                    ),
                    _share(s, f"{target}_sla_met_share"),
                ]
            return out

        table = self.table(
            "sla",
            _("Service-level compliance"),
            _("First-response targets (by month created) and resolution targets (by month resolved)"),
            [
                _("First response: targets"), _("First response: met"), _("First response: missed"),
                _("First response: compliance"), _("Resolution: targets"), _("Resolution: met"),
                _("Resolution: missed"), _("Resolution: compliance"),
            ],
            cells,
        )  # fmt: skip
        series = [
            self.measured(
                label, lambda s, n=f"{target}_sla_met_share": percent_of(s.figures.get(n)),
                lambda s, n=f"{target}_sla_met_share": percent_text(s.figures.get(n)),
                f"{target}_sla_due", f"{target}_sla_due",
            )
            for label, target in ((_("First response"), "first_response"), (_("Resolution"), "resolution"))
        ]  # fmt: skip
        title = _("Service-level compliance per month (%)")
        table.charts.append(self.chart_lines("sla", title, series, top=100, tick=lambda v: f"{v:g} %"))
        return table

    def times(self) -> Table:
        table = self.table(
            "times",
            _("Response and resolution times"),
            _("First-response time (by month created) and resolution time (by month resolved), wall clock"),
            [
                _("Answered"), _("First response: median"), _("First response: 90th percentile"),
                _("Resolved"), _("Resolution: median"), _("Resolution: 90th percentile"),
            ],
            lambda s: [
                self.count(s, "first_responses", "first_response"),
                _minutes(s, "first_response_minutes", "median"),
                _minutes(s, "first_response_minutes", "p90"),
                self.count(s, "resolved", "resolved"),
                _minutes(s, "resolution_minutes", "median"),
                _minutes(s, "resolution_minutes", "p90"),
            ],
        )  # fmt: skip
        if self.result["percentiles"] == "exact":
            table.note = _(
                "Medians and 90th percentiles are exact: computed from every ticket of the period."
            )
        else:
            table.note = _(
                "Medians and 90th percentiles are estimated: the period counts many tickets, so they are "
                "read from duration histograms (within one bucket of the exact value)."
            )
        charts = (
            ("first_response_minutes", _("First-response time per month (hours)"), "first_response",
             "first_responses"),
            ("resolution_minutes", _("Resolution time per month (hours)"), "resolved", "resolved"),
        )  # fmt: skip
        for name, title, drill, counter in charts:
            series = [
                self.measured(
                    label, lambda s, n=name, w=which: _hours((s.figures.get(n) or {}).get(w)),
                    lambda s, n=name, w=which: duration_text((s.figures.get(n) or {}).get(w)), drill, counter,
                )
                for label, which in ((_("Median"), "median"), (_("90th percentile"), "p90"))
            ]  # fmt: skip
            table.charts.append(self.chart_bars(name, title, series, tick=lambda v: f"{v:g} h"))
        return table

    def backlog(self) -> Table:
        bands, names = self.result["backlog_by_age"], backlog_labels()
        rows = []
        for key, *_bounds in BACKLOG_BANDS:
            cell = Cell(
                count_text(bands[key]), bands[key], self.links("backlog", band=key) if bands[key] else None
            )
            rows.append(Row(names[key], names[key], [cell]))
        total = self.result["backlog"]
        cell = Cell(count_text(total), total, self.links("backlog") if total else None)
        rows.append(Row(_("All open tickets"), _("All open tickets"), [cell], total=True))
        table = Table(
            key="backlog",
            title=_("Backlog by age"),
            caption=_("Open tickets now, by age"),
            columns=[_("Age"), _("Open tickets")],
            rows=rows,
            note=_("The backlog is counted now: the period does not apply, the other filters do."),
        )
        keys = [key for key, *_bounds in BACKLOG_BANDS]
        series = Series(
            label=_("Open tickets"),
            values=[bands[key] for key in keys],
            links=[self.links("backlog", band=key) for key in keys],
        )
        table.charts.append(
            bar_chart(
                chart_id="chart-backlog", title=_("Open tickets now, by age"), description=str(SAME_NUMBERS),
                labels=[names[key] for key in keys], series=[series],
            )
        )  # fmt: skip
        return table

    def satisfaction(self) -> Table:
        table = self.table(
            "satisfaction",
            _("Satisfaction and effort"),
            _("Survey answers and the computed effort score, by month resolved"),
            [
                _("Satisfaction answers"), _("Satisfaction (1 to 5)"), _("Survey effort answers"),
                _("Survey effort (1 to 7)"), _("Effort score (average)"), _("High effort"),
            ],
            lambda s: [
                self.count(s, "csat_count", "csat"), _average(s, "csat_average"),
                self.count(s, "ces_count", "ces"), _average(s, "ces_average"),
                _average(s, "effort_average"), self.count(s, "high_effort", "high_effort"),
            ],
        )  # fmt: skip
        series = [
            self.measured(
                label, lambda s, n=name: s.figures.get(n), lambda s, n=name: average_text(s.figures.get(n)),
                drill, counter,
            )
            for label, name, drill, counter in (
                (_("Satisfaction (1 to 5)"), "csat_average", "csat", "csat_count"),
                (_("Survey effort (1 to 7)"), "ces_average", "ces", "ces_count"),
                (_("Effort score (average)"), "effort_average", "resolved", "effort_count"),
            )
        ]  # fmt: skip
        title = _("Satisfaction, survey effort and effort score per month")
        table.charts.append(self.chart_lines("satisfaction", title, series, top=7))
        return table

    def sentiment(self) -> Table:
        table = self.table(
            "sentiment",
            _("Sentiment trend"),
            _("Customer messages scored and negative, by month created"),
            [_("Messages scored"), _("Negative messages"), _("Negative share")],
            lambda s: [
                self.count(s, "messages_scored"),
                self.count(s, "messages_negative", "negative"),
                _share(s, "negative_share"),
            ],
        )
        table.note = _("Negative messages open the tickets that hold at least one.")
        series = [
            self.measured(
                _("Negative share"), lambda s: percent_of(s.figures.get("negative_share")),
                lambda s: percent_text(s.figures.get("negative_share")), "negative", "messages_negative",
            )
        ]  # fmt: skip
        title = _("Share of negative customer messages per month (%)")
        table.charts.append(self.chart_lines("sentiment", title, series, tick=lambda v: f"{v:g} %"))
        return table


def dashboard_tables(filters: Filters, result: dict, counts: dict, links: Links) -> list[Table]:
    """Every section of the dashboard, in its order."""
    sections = Sections(filters, result, counts, links)
    return [
        sections.volume(), sections.levels(), sections.complaints(), sections.sla(), sections.times(),
        sections.backlog(), sections.satisfaction(), sections.sentiment(),
    ]  # fmt: skip


def backlog_labels() -> dict[str, str]:
    return {
        "under_1_day": _("Under 1 day"),
        "1_to_3_days": _("1 to 3 days"),
        "3_to_7_days": _("3 to 7 days"),
        "7_to_30_days": _("7 to 30 days"),
        "over_30_days": _("Over 30 days"),
    }


def drill_titles() -> dict[str, str]:
    """What a drill-down lists, as its page's heading."""
    return {
        "created": _("Tickets created"),
        "resolved": _("Tickets resolved"),
        "resolved_level1": _("Tickets resolved at level 1"),
        "escalated": _("Tickets resolved after an escalation to level 2"),
        "complaints": _("Complaints"),
        "unhappy": _("Tickets of unhappy customers"),
        "negative": _("Tickets with a negative customer message"),
        "first_response": _("Tickets answered"),
        "first_response_sla_due": _("Tickets with a first-response target"),
        "first_response_sla_met": _("First-response target met"),
        "first_response_sla_missed": _("First-response target missed"),
        "resolution_sla_due": _("Resolved tickets with a resolution target"),
        "resolution_sla_met": _("Resolution target met"),
        "resolution_sla_missed": _("Resolution target missed"),
        "reopened": _("Reopened tickets"),
        "csat": _("Tickets with a satisfaction answer"),
        "ces": _("Tickets with a survey effort answer"),
        "high_effort": _("High-effort tickets"),
        "backlog": _("Open tickets (backlog)"),
    }


# --- CSV -----------------------------------------------------------------------------------------


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (= + - @, tab, carriage return) is
    prefixed with a quote; numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The CSV text, a chunk at a time: a byte-order mark first (Excel then reads UTF-8), the
    header row, then the rows, every cell guarded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield codecs.BOM_UTF8.decode("utf-8")
    writer.writerow([safe_cell(str(name)) for name in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        if buffer.tell() > 32_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def table_csv(table: Table) -> Iterator[str]:
    return csv_lines(table.columns, ([row.csv_label, *(c.value for c in row.cells)] for row in table.rows))


def ticket_columns() -> list[str]:
    return [
        _("Reference"), _("Subject"), _("Customer"), _("Team"), _("Category"), _("Channel"), _("Created"),
        _("Resolved"), _("First response (minutes)"), _("Resolution (minutes)"), _("Level"),
        _("First-response target"), _("Resolution target"), _("Reopenings"), _("Satisfaction (1 to 5)"),
        _("Survey effort (1 to 7)"), _("Effort score"), _("Negative messages"),
    ]  # fmt: skip


def sla_text(outcome: int) -> str:
    return {SlaOutcome.MET: _("met"), SlaOutcome.MISSED: _("missed")}.get(SlaOutcome(outcome), "")


def level_text(ticket: FigureTicket) -> str:
    fact = ticket.fact
    if fact.escalated:
        return _("escalated")
    return pgettext("resolved at", "level 1") if fact.resolution_seconds is not None else ""


def minutes_of(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def channel_text(channel: str) -> str:
    return str(Channel(channel).label) if channel in Channel.values else channel


@dataclass(frozen=True)
class TicketLine:
    """A row of the drill-down list: the ticket, and its values as they read."""

    ticket: FigureTicket
    channel: str
    first_response: str
    resolution: str
    level: str


def ticket_lines(tickets: Iterable[FigureTicket]) -> list[TicketLine]:
    return [
        TicketLine(
            ticket=t,
            channel=channel_text(t.fact.channel),
            first_response=duration_text(minutes_of(t.fact.first_response_seconds)),
            resolution=duration_text(minutes_of(t.fact.resolution_seconds)),
            level=level_text(t),
        )  # fmt: skip
        for t in tickets
    ]


def ticket_csv_row(ticket: FigureTicket) -> list[object]:
    fact = ticket.fact
    created: datetime = timezone.localtime(fact.created_at)
    return [
        ticket.reference, ticket.subject, ticket.customer, ticket.team, ticket.category,
        channel_text(fact.channel),
        created.strftime("%Y-%m-%d %H:%M"), fact.resolved_day.isoformat() if fact.resolved_day else "",
        minutes_of(fact.first_response_seconds), minutes_of(fact.resolution_seconds), level_text(ticket),
        sla_text(fact.first_response_sla), sla_text(fact.resolution_sla), fact.reopened, fact.csat, fact.ces,
        fact.effort, fact.messages_negative,
    ]  # fmt: skip
