"""The desk search page has two search forms (the header's and the page's): each a landmark with
its own name, so axe finds no duplicate landmark, moderate issues included (issue 10 walk)."""

from __future__ import annotations

from .conftest import axe_report, axe_violations
from .test_accessibility import desk_world  # noqa: F401 - the fixture
from .test_journey import agent_login


def test_the_search_page_has_no_duplicate_landmark(live_server, desk_world, new_context) -> None:  # noqa: F811
    base = live_server.url
    desk = agent_login(new_context("en-CA"), base, desk_world["agent"].email)
    desk.goto(base + "/desk/search/?q=facture")
    desk.wait_for_load_state("load")
    assert desk.locator("form[role=search]").count() == 2
    names = {desk.locator("form[role=search]").nth(i).get_attribute("aria-label") for i in range(2)}
    assert names == {"Quick search", "Search with filters"}
    violations = axe_violations(desk, impacts=("minor", "moderate", "serious", "critical"))
    landmarks = [v for v in violations if v["id"].startswith("landmark")]
    assert not landmarks, axe_report(landmarks)
