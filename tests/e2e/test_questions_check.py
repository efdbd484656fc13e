"""Answer every question (issue 11) in a real browser: the box lists the customer's questions and
the marks follow the draft as the agent types (htmx, debounced), with an accessibility audit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_questions_to_answer_follow_the_draft(live_server, settings, make_ticket, new_context):
    settings.BASE_URL = live_server.url
    agent = AgentFactory(teams=[TeamFactory(name="Facturation")])
    ticket = make_ticket(
        body="Bonjour, pouvez-vous vérifier mon compteur ? Quand le remboursement sera-t-il versé ?",
    )
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    box = desk.get_by_test_id("questions-check")
    expect(box.get_by_test_id("question")).to_have_count(2)
    expect(box.get_by_test_id("question-unanswered")).to_have_count(2)
    desk.locator("#id_body").press_sequentially("Nous avons vérifié votre compteur : il est correct.")
    expect(desk.get_by_test_id("questions-check").get_by_test_id("question-unanswered")).to_have_count(1)
    expect(
        desk.get_by_test_id("questions-check").get_by_test_id("question-unanswered").locator("xpath=..")
    ).to_contain_text("remboursement")
    desk.locator("#id_body").press_sequentially(" Le remboursement sera versé le 12 avril.")
    expect(desk.get_by_test_id("questions-check").get_by_test_id("question-unanswered")).to_have_count(0)
    assert_accessible(desk)
