"""The quality dashboard (issue 12, item 6) in a real browser, on the hand-worked history of
``tests/insights/conftest.py``: a supervisor opens it from the menu, filters it by channel, follows
a bar of a chart to its tickets, downloads them and a table as CSV; the page passes the
accessibility audit and fits a 390 px phone (tables scroll in their own box)."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from tests.insights import conftest as insights_fixtures

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e

history = insights_fixtures.history  # the fixture, shared with tests/insights


def _rows(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:  # the BOM is read as such
        return list(csv.reader(handle))


def test_filter_follow_a_bar_and_download(live_server, history, new_context):
    desk = agent_login(new_context("en-CA"), live_server.url, history.agent.email)
    desk.get_by_test_id("nav-quality").click()
    expect(desk).to_have_url(re.compile(r"/desk/quality/$"))
    expect(desk.get_by_role("heading", level=1)).to_have_text("Quality dashboard")

    filters = desk.get_by_test_id("quality-filters")
    filters.get_by_label("From", exact=True).fill("2026-03-01")
    filters.get_by_label("To", exact=True).fill("2026-04-30")
    filters.get_by_label("Channel").select_option("email")
    filters.get_by_role("button", name="Show the figures").click()
    expect(desk).to_have_url(re.compile(r"channel=email"))
    total = desk.get_by_test_id("table-volume").locator('tr[data-row="2026-03-01..2026-04-30"] td')
    expect(total).to_have_text(["2", "2"])  # T2 and T6, both resolved
    expect(desk.get_by_test_id("quality-percentiles")).to_have_text("Medians and 90th percentiles are exact.")
    assert_accessible(desk)

    # A table as CSV, as the page shows it.
    with desk.expect_download() as info:
        desk.get_by_test_id("csv-volume").click()
    rows = _rows(info.value.path())
    assert rows[0] == ["Month", "Created", "Resolved"]
    assert rows[-1] == ["2026-03-01..2026-04-30", "2", "2"]

    # The bar of March's created tickets opens them: T2 only, by email.
    desk.locator('[data-chart="chart-volume"] a').first.click()
    expect(desk).to_have_url(re.compile(r"/desk/quality/tickets/\?.*drill=created"))
    expect(desk.get_by_test_id("drill-title")).to_have_text("Tickets created")
    t2 = history.tickets["T2"].reference
    expect(desk.get_by_test_id("drill-ticket")).to_have_count(1)
    expect(desk.get_by_test_id("drill-ticket").get_by_role("link", name=t2)).to_be_visible()
    assert_accessible(desk)
    with desk.expect_download() as info:
        desk.get_by_test_id("drill-csv").click()
    header, *rows = _rows(info.value.path())
    assert header[:3] == ["Reference", "Subject", "Customer"]
    assert [row[0] for row in rows] == [t2]
    desk.get_by_test_id("drill-ticket").get_by_role("link", name=t2).click()
    expect(desk).to_have_url(re.compile(rf"/desk/tickets/{t2}/$"))


def test_the_dashboard_fits_a_phone(live_server, history, browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="fr-CA", extra_http_headers={"Accept-Language": "fr-CA,fr;q=0.9"},
    )  # fmt: skip
    try:
        desk = agent_login(context, live_server.url, history.agent.email)
        desk.goto(f"{live_server.url}/desk/quality/?from=2026-03-01&to=2026-04-30")
        expect(desk.get_by_test_id("table-sla")).to_be_attached()
        assert desk.evaluate("() => document.scrollingElement.scrollWidth") <= 390
        # The wide table scrolls in its own box; the chart scales to the screen.
        box = desk.get_by_test_id("section-sla").locator(".table-scroll")
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
        chart = desk.locator('[data-chart="chart-sla"]').bounding_box()
        assert chart is not None and chart["width"] <= 390
    finally:
        context.close()
