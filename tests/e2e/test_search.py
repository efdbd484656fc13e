"""Issue 10 in a real browser: an agent types an accent-less word in the desk's search box and
opens the ticket found, in French and in English; the results page passes the audit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("locale", ["en-CA", "fr-CA"])
def test_an_agent_finds_a_ticket_from_the_header_box(live_server, make_ticket, new_context, locale):
    agent = AgentFactory(teams=[TeamFactory(name="Soutien")], email="cherche@comptoir.test")
    found = make_ticket(subject="Plus d'électricité rue Laurier", body="Le courant est coupé depuis midi.")
    make_ticket(subject="Facture de mars", body="Le montant est faux.")
    desk = agent_login(new_context(locale), live_server.url, agent.email)
    box = desk.get_by_test_id("desk-search-q")
    box.fill("electricite")
    box.press("Enter")
    expect(desk).to_have_url(re.compile(r"/desk/search/\?q=electricite$"))
    hits = desk.get_by_test_id("search-ticket")
    expect(hits).to_have_count(1)
    expect(hits.first.locator("mark")).to_have_text("électricité")
    assert_accessible(desk)
    hits.first.get_by_role("link", name=re.compile(found.reference)).click()
    expect(desk).to_have_url(re.compile(rf"/desk/tickets/{found.reference}/$"))
