"""Issue 10 in a real browser: an agent starts the day on their own tickets, filters the team's
queue, saves the view, opens a ticket from it and moves to the next one with the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_update
from comptoir.worklists.models import SavedView
from tests.factories import AgentFactory, TeamFactory

from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def _set(ticket: Ticket, actor, **fields) -> Ticket:  # type: ignore[no-untyped-def]
    ticket.refresh_from_db()
    ticket_update(ticket_id=ticket.pk, actor=actor, version=ticket.version, **fields)
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize("locale", ["en-CA", "fr-CA"])
def test_an_agent_starts_the_day_on_their_own_view(live_server, make_ticket, new_context, locale):
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="journee@comptoir.test", can_pick=True)
    colleague = AgentFactory(teams=[team], email="collegue@comptoir.test")
    mine = _set(make_ticket(subject="Ma demande à moi"), agent, team=team, assignee=agent)
    theirs = _set(make_ticket(subject="Celle du collègue"), agent, team=team, assignee=colleague)
    urgent = [
        _set(make_ticket(subject=f"Panne urgente {i}"), agent, team=team, priority="P1") for i in range(3)
    ]
    _set(make_ticket(subject="Pas urgent"), agent, team=team, priority="P4")

    desk = agent_login(new_context(locale), live_server.url, agent.email)
    # The day starts on the agent's own tickets, with the views and their counts beside them.
    rows = desk.get_by_test_id("queue-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(mine.reference)
    expect(desk.locator('[data-view="mine"] [data-testid="view-count"]')).to_have_text("1")
    expect(desk.locator('[data-view="team"] [data-testid="view-count"]')).to_have_text("6")

    # The team's queue, filtered on P1: the filters land in the URL.
    desk.locator('[data-testid="view-link"][data-view="team"]').click()
    expect(rows).to_have_count(6)
    filters = desk.get_by_test_id("filters")
    if not filters.is_visible():
        desk.locator("details.filters > summary").click()
    filters.locator("select[name=priority]").select_option("P1")
    filters.get_by_test_id("apply-filters").click()
    expect(desk).to_have_url(re.compile(r"view=team.*priority=P1|priority=P1.*view=team"))
    expect(rows).to_have_count(3)
    expect(desk.get_by_test_id("queue")).not_to_contain_text(theirs.reference)

    # Saved as a personal view, listed in the sidebar.
    desk.locator("details.save-view > summary").click()
    save = desk.get_by_test_id("save-view")
    save.locator("input[name=name]").fill("P1 du matin")
    save.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("saved-view")).to_contain_text("P1 du matin")
    saved = SavedView.objects.get(owner=agent)
    assert "priority=P1" in saved.query and not saved.shared

    # Open the first ticket of the view, then the next one with the keyboard; ? lists the keys.
    first_ref = rows.first.get_by_test_id("row-link").inner_text()
    rows.first.get_by_test_id("row-link").click()
    expect(desk.get_by_test_id("reference")).to_have_text(first_ref)
    expect(desk.get_by_test_id("worklist-nav")).to_be_visible()
    expect(desk.locator("html")).to_have_attribute("data-shortcuts", "on")  # the keys are listened to
    desk.keyboard.press("?")
    expect(desk.get_by_test_id("shortcuts")).to_be_visible()
    desk.keyboard.press("Escape")
    expect(desk.get_by_test_id("shortcuts")).to_be_hidden()
    # Typing in a field never fires a shortcut.
    body = desk.locator("textarea[name=body]").first
    body.click()
    body.type("j")
    expect(desk.get_by_test_id("reference")).to_have_text(first_ref)
    body.fill("")
    desk.locator("h1").click()
    desk.keyboard.press("j")
    expect(desk.get_by_test_id("reference")).not_to_have_text(first_ref)
    second_ref = desk.get_by_test_id("reference").inner_text()
    assert second_ref in {t.reference for t in urgent}
    expect(desk).to_have_url(re.compile(r"from=.*priority%3DP1"))
    expect(desk.locator("html")).to_have_attribute("data-shortcuts", "on")
    desk.keyboard.press("k")
    expect(desk.get_by_test_id("reference")).to_have_text(first_ref)
    expect(desk.locator("html")).to_have_attribute("data-shortcuts", "on")
    desk.keyboard.press("a")  # take it
    expect(desk.get_by_test_id("holder")).to_contain_text(agent.name)
