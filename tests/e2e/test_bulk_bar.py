"""Issue 10 walk: the bulk bar shows the field the chosen action needs ("Assign to…" shows the
agent, "Reply to each" the text), and without JavaScript shows every field and still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory, TeamFactory

from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def _world(make_ticket):  # type: ignore[no-untyped-def]
    team = TeamFactory(name="Support")
    agent = AgentFactory(teams=[team], email="dispatch@comptoir.test", can_pick=True)
    other = AgentFactory(teams=[team], email="colleague@comptoir.test", name="Camille Roy")
    tickets = [make_ticket(subject=f"Question {n}") for n in range(2)]
    return agent, other, tickets


def _assign_both(desk, other, tickets) -> None:  # type: ignore[no-untyped-def]
    for ticket in tickets:
        desk.get_by_label(f"Select {ticket.reference}").check()
    desk.get_by_label("With the selected tickets").select_option("assign")
    desk.get_by_test_id("bulk-assignee").fill(other.email)
    desk.get_by_test_id("bulk-submit").click()
    expect(desk.locator(".flash")).to_contain_text("2 tickets changed.")
    assigned = set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("assignee", flat=True))
    assert assigned == {other.pk}


def test_the_chosen_action_shows_its_field(live_server, make_ticket, new_context, accessible):
    agent, other, tickets = _world(make_ticket)
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/?scope=all")
    expect(desk.get_by_test_id("bulk-values")).to_be_hidden()  # "Assign to me" needs no value
    action = desk.get_by_label("With the selected tickets")
    action.select_option("reply")
    expect(desk.get_by_test_id("bulk-body")).to_be_visible()
    expect(desk.get_by_test_id("bulk-assignee")).to_be_hidden()
    action.select_option("status")
    expect(desk.get_by_test_id("bulk-status")).to_be_visible()
    expect(desk.get_by_test_id("bulk-body")).to_be_hidden()
    action.select_option("assign")
    expect(desk.get_by_test_id("bulk-assignee")).to_be_visible()
    expect(desk.get_by_test_id("bulk-assignee")).to_have_attribute("required", "")
    desk.get_by_test_id("bulk-assignee").press_sequentially("Camille")  # the autocomplete answers
    expect(desk.locator('#bulk-agents option[value="colleague@comptoir.test"]')).to_have_count(1)
    desk.get_by_test_id("bulk-assignee").fill("")
    accessible(desk, f"{live_server.url}/desk/?scope=all")
    _assign_both(desk, other, tickets)


def test_without_javascript_every_field_shows_and_assign_to_works(live_server, make_ticket, browser):
    agent, other, tickets = _world(make_ticket)
    context = browser.new_context(
        java_script_enabled=False, locale="en-CA", extra_http_headers={"Accept-Language": "en-CA,en;q=0.9"}
    )
    try:
        desk = agent_login(context, live_server.url, agent.email)
        desk.goto(f"{live_server.url}/desk/?scope=all")
        for field in ("assignee", "team", "status", "priority", "category", "body"):
            expect(desk.get_by_test_id(f"bulk-{field}")).to_be_visible()
        _assign_both(desk, other, tickets)
    finally:
        context.close()
