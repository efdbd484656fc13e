"""The quality dashboard on the desk (issue 12, item 6), on the hand-worked history of
``tests/insights/conftest.py``: the numbers shown are ``metrics()``'s, every count opens its
tickets, each table and each list of tickets downloads as CSV, supervisors only."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client

from comptoir.insights.selectors import Filters, figure_counts, metrics
from comptoir.insights.services import metrics_sweep
from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory
from tests.insights import conftest as insights_fixtures

pytestmark = pytest.mark.django_db

history = insights_fixtures.history  # the fixture, shared with tests/insights
SPRING = {"from": "2026-03-01", "to": "2026-04-30"}
DASHBOARD, TICKETS = "/desk/quality/", "/desk/quality/tickets/"


class Tables(HTMLParser):
    """The dashboard's tables: ``{key: {row: [(value, href), ...]}}``, a row named by its
    ``data-row`` (``2026-03``, the period ``from..to``, a backlog band's label)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list[tuple[str | None, str | None]]]] = {}
        self.table = self.row = None
        self.href: str | None = None
        self.cell: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "table" and (found.get("data-testid") or "").startswith("table-"):
            self.table = found["data-testid"].removeprefix("table-")
            self.tables[self.table] = {}
        elif tag == "tr" and self.table and "data-row" in found:
            self.row = found["data-row"]
            self.tables[self.table][self.row] = []
        elif tag == "td" and self.row:
            self.cell, self.href = [None, None], None
        elif tag == "a" and self.cell is not None:
            self.cell[1] = found["href"]
        elif tag == "data" and self.cell is not None:
            self.cell[0] = found["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None and self.table and self.row:
            self.tables[self.table][self.row].append(tuple(self.cell))
            self.cell = None
        elif tag == "table":
            self.table = self.row = None


def tables_of(html: str) -> dict:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def supervisor_client(history) -> Client:
    client = Client()
    client.force_login(history.agent)  # a supervisor of Front and Experts
    return client


def refs(history, html: str) -> set[str]:
    names = {t.reference: name for name, t in history.tickets.items()}
    return {names[r] for r in re.findall(r'data-testid="drill-ticket" data-reference="([^"]+)"', html)}


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def number(value: str | None) -> float | None:
    return None if value in (None, "None") else float(value)


@pytest.fixture
def at_now(history):
    with time_machine.travel(history.now, tick=False):
        yield history


def test_the_figures_shown_are_those_of_metrics(at_now):
    history = at_now
    response = supervisor_client(history).get(DASHBOARD, SPRING)
    assert response.status_code == 200
    tables = tables_of(response.content.decode())
    filters = Filters(start=date(2026, 3, 1), end=date(2026, 4, 30))
    figures, counts = metrics(filters, now=history.now), figure_counts(filters)
    period = "2026-03-01..2026-04-30"
    for label, month, count in [
        (period, figures, counts[None]),
        *((m["month"], m, counts[m["month"]]) for m in figures["months"]),
    ]:
        volume = [number(v) for v, _href in tables["volume"][label]]
        assert volume == [month["tickets_created"], month["tickets_resolved"]]
        levels = [number(v) for v, _href in tables["levels"][label]]
        assert levels == [
            month["tickets_resolved"], count["resolved_level1"],
            round(month["level1_resolution_share"] * 100, 2), count["escalated"],
            round(month["escalated_share"] * 100, 2),
        ]  # fmt: skip
        times = [number(v) for v, _href in tables["times"][label]]
        assert times == [
            count["first_responses"], month["first_response_minutes"]["median"],
            month["first_response_minutes"]["p90"], month["tickets_resolved"],
            month["resolution_minutes"]["median"], month["resolution_minutes"]["p90"],
        ]  # fmt: skip
        satisfaction = [number(v) for v, _href in tables["satisfaction"][label]]
        assert satisfaction == [
            month["csat_answers"], month["csat_average"], month["ces_answers"], month["ces_average"],
            month["effort_average"], month["high_effort"],
        ]  # fmt: skip
    # The hand-worked values (tests/insights/test_figures.py) for the whole period.
    assert [number(v) for v, _h in tables["volume"][period]] == [6, 5]
    assert [number(v) for v, _h in tables["levels"][period]] == [5, 4, 80.0, 1, 20.0]
    assert [number(v) for v, _h in tables["sla"][period]] == [6, 4, 2, 66.67, 5, 4, 1, 80.0]
    assert [number(v) for v, _h in tables["times"][period]] == [5, 20.0, 84.0, 5, 120.0, 1128.0]
    assert [number(v) for v, _h in tables["complaints"][period]] == [1, 0]
    assert [number(v) for v, _h in tables["satisfaction"][period]][:4] == [2, 3.5, 2, 4.0]
    backlog = {row: number(cells[0][0]) for row, cells in tables["backlog"].items()}
    assert backlog == {
        "Under 1 day": 0, "1 to 3 days": 0, "3 to 7 days": 1, "7 to 30 days": 0, "Over 30 days": 0,
        "All open tickets": 1,
    }  # fmt: skip
    html = response.content.decode()
    assert 'data-percentiles="exact"' in html
    assert "Figures last brought up to date on" in html
    # Every chart is an image named by its title, described by its desc.
    charts = re.findall(r'<svg class="chart"[^>]*><g role="img" aria-labelledby="([^"]+)"', html)
    assert len(charts) == 9
    for ids in charts:
        for one in ids.split():
            assert f'id="{one}"' in html


def test_every_count_opens_its_tickets(at_now):
    history = at_now
    client = supervisor_client(history)
    tables = tables_of(client.get(DASHBOARD, SPRING).content.decode())
    period = "2026-03-01..2026-04-30"
    expected = {
        ("volume", period, 0): {"T1", "T2", "T3", "T4", "T5", "T6"},
        ("volume", "2026-04", 0): {"T6"},
        ("volume", "2026-03", 1): {"T1", "T2", "T3", "T4"},
        ("levels", period, 1): {"T1", "T3", "T4", "T6"},
        ("levels", period, 3): {"T2"},
        ("complaints", period, 0): {"T5"},
        ("sla", period, 0): {"T1", "T2", "T3", "T4", "T5", "T6"},
        ("sla", period, 1): {"T1", "T3", "T4", "T6"},
        ("sla", period, 2): {"T2", "T5"},
        ("sla", period, 6): {"T2"},
        ("times", period, 0): {"T1", "T2", "T3", "T4", "T6"},
        ("satisfaction", period, 0): {"T1", "T2"},
        ("backlog", "3 to 7 days", 0): {"T5"},
        ("backlog", "All open tickets", 0): {"T5"},
    }
    for (key, row, column), names in expected.items():
        href = tables[key][row][column][1]
        assert href and href.startswith(TICKETS), (key, row, column)
        response = client.get(href)
        assert response.status_code == 200
        assert refs(history, response.content.decode()) == names, (key, row, column, href)
    # A month's cell covers that month; zero counts lead nowhere.
    april = parse_qs(urlsplit(tables["volume"]["2026-04"][0][1]).query)
    assert (april["from"], april["to"], april["drill"]) == (["2026-04-01"], ["2026-04-30"], ["created"])
    assert tables["complaints"][period][1] == ("0", None)


def test_the_bars_of_a_chart_open_the_same_tickets(at_now):
    history = at_now
    html = supervisor_client(history).get(DASHBOARD, SPRING).content.decode()
    chart = html[html.index('data-chart="chart-volume"') :]
    chart = chart[: chart.index("</svg>")]
    links = re.findall(r'<a href="([^"]+)" tabindex="-1"><rect[^>]*><title>([^<]+)</title>', chart)
    assert (
        "/desk/quality/tickets/?from=2026-03-01&amp;to=2026-03-31&amp;drill=created",
        "Mar 26 · Created: 5",
    ) in [(href, title) for href, title in links]


def test_tables_and_tickets_download_as_csv(at_now):
    history = at_now
    client = supervisor_client(history)
    response = client.get(DASHBOARD, {**SPRING, "export": "levels"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="comptoir-levels-2026-03-01-2026-04-30.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == ["Month", "Resolved", "At level 1", "Level-1 share", "Escalated", "Escalated share"]
    assert rows[1:] == [
        ["2026-03", "4", "3", "75.0", "1", "25.0"],
        ["2026-04", "1", "1", "100.0", "0", "0.0"],
        ["2026-03-01..2026-04-30", "5", "4", "80.0", "1", "20.0"],
    ]
    assert client.get(DASHBOARD, {**SPRING, "export": "nothing"}).status_code == 404

    # The tickets behind a figure, one row each; a subject a spreadsheet would run is quoted.
    Ticket.objects.filter(pk=history.tickets["T2"].pk).update(subject='=HYPERLINK("http://x")')
    response = client.get(TICKETS, {**SPRING, "drill": "escalated", "export": "csv"})
    assert response["Content-Disposition"].startswith("attachment; ")
    header, *rows = read_csv(response)
    assert len(header) == 18 and header[:2] == ["Reference", "Subject"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Reference"] == history.tickets["T2"].reference
    assert row["Subject"] == '\'=HYPERLINK("http://x")'
    assert (row["Channel"], row["Team"], row["Category"]) == ("Email", "Experts", "Billing")
    assert (row["First response (minutes)"], row["Resolution (minutes)"]) == ("120.0", "1440.0")
    assert (row["Level"], row["First-response target"], row["Resolution target"]) == (
        "escalated",
        "missed",
        "missed",
    )
    assert (row["Satisfaction (1 to 5)"], row["Survey effort (1 to 7)"]) == ("2", "6")
    created = read_csv(client.get(TICKETS, {**SPRING, "drill": "created", "export": "csv"}))
    assert {r[0] for r in created[1:]} == {t.reference for t in history.tickets.values()}


def test_filters_apply(at_now):
    history = at_now
    client = supervisor_client(history)

    def created(**params: str) -> float | None:
        query = {**SPRING, **params}
        response = client.get(DASHBOARD, query)
        assert response.status_code == 200
        period = f"{query['from']}..{query['to']}"
        return number(tables_of(response.content.decode())["volume"][period][0][0])

    assert created(team=str(history.experts.pk)) == 1
    assert created(channel="email") == 2
    assert created(category=str(history.complaint.pk)) == 1
    customer_b = history.tickets["T3"].customer_id
    assert created(customer=f"#{customer_b}") == 2
    assert created(customer="b@example.test") == 2  # what the autocomplete puts in the box
    assert created(**{"from": "2026-03-03", "to": "2026-03-31"}) == 3
    # The filters travel with the drill-down links.
    tables = tables_of(client.get(DASHBOARD, {**SPRING, "channel": "email"}).content.decode())
    href = tables["volume"]["2026-03-01..2026-04-30"][0][1]
    assert parse_qs(urlsplit(href).query)["channel"] == ["email"]
    assert refs(history, client.get(href).content.decode()) == {"T2", "T6"}
    # Refused filters are said on the form, and no figure is shown.
    wrong = client.get(DASHBOARD, {"from": "2026-04-30", "to": "2026-03-01"}).content.decode()
    assert "The period ends before it starts." in wrong and "table-volume" not in wrong
    assert (
        "Choose one customer from the list."
        in client.get(DASHBOARD, {"customer": "nobody at all"}).content.decode()
    )


def test_the_default_period_is_six_full_months_and_this_one(history):
    with time_machine.travel(history.now, tick=False):  # 10 March 2026
        html = supervisor_client(history).get(DASHBOARD).content.decode()
    rows = list(tables_of(html)["volume"])
    assert rows[0] == "2025-09" and rows[-2] == "2026-03" and rows[-1] == "2025-09-01..2026-03-10"
    assert 'value="2025-09-01"' in html and 'value="2026-03-10"' in html


def test_htmx_gets_the_figures_only(at_now):
    response = supervisor_client(at_now).get(DASHBOARD, SPRING, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="quality-figures"') and "<html" not in html
    assert "table-volume" in html


def test_the_list_of_tickets_is_paged(at_now, monkeypatch):
    history = at_now
    monkeypatch.setattr("comptoir.desk.views.quality.PAGE_SIZE", 4)
    client = supervisor_client(history)
    first = client.get(TICKETS, {**SPRING, "drill": "created"}).content.decode()
    assert "6 tickets, from" in first
    more = re.search(r'href="\?([^"]+)" data-testid="drill-more"', first)
    assert more is not None
    second = client.get(TICKETS + "?" + more.group(1).replace("&amp;", "&")).content.decode()
    assert refs(history, first) == {"T3", "T4", "T5", "T6"} and refs(history, second) == {"T1", "T2"}
    assert 'data-testid="drill-more"' not in second
    assert client.get(TICKETS, {**SPRING, "drill": "created", "cursor": "forged"}).status_code == 400
    assert client.get(TICKETS, {**SPRING, "drill": "everything"}).status_code == 404


def test_supervisors_only(history, client):
    for url in (DASHBOARD, f"{TICKETS}?drill=created"):
        response = client.get(url)  # anonymous
        assert response.status_code == 302 and "/login/" in response["Location"]
    agent = AgentFactory(teams=[history.front])
    client.force_login(agent)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(TICKETS, {"drill": "created"}).status_code == 403
    assert client.get(DASHBOARD, {"export": "volume"}).status_code == 403
    assert 'data-testid="nav-quality"' not in client.get("/desk/").content.decode()
    assert 'data-testid="nav-quality"' in supervisor_client(history).get("/desk/").content.decode()


def test_new_figures_appear_after_the_sweep(history, make_ticket):
    """What the worker's sweep brings up to date is what the page shows (after the history's
    last change, 1 April: the sweep reads on from there)."""
    client = supervisor_client(history)
    with time_machine.travel(insights_fixtures.at(4, 2, 9), tick=False):
        make_ticket(email="d@example.test", subject="Nouvelle demande")
        before = tables_of(client.get(DASHBOARD, SPRING).content.decode())["volume"]["2026-04"][0][0]
        metrics_sweep()
        after = tables_of(client.get(DASHBOARD, SPRING).content.decode())["volume"]["2026-04"][0][0]
    assert (before, after) == ("1", "2")
