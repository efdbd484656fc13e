"""Issue 12, items 4 and 5, in a real browser: a resolved ticket's survey email link opened by the
customer, a score and a comment sent with one button, then seen by an agent on the ticket page and
in the voice-of-customer log; the survey page passes the accessibility audit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from comptoir.outbox.models import Delivery
from comptoir.surveys.models import Survey
from comptoir.tickets.services import ticket_update
from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_survey_from_email_to_desk_and_voc_log(live_server, settings, make_ticket, new_context):
    settings.BASE_URL = live_server.url
    settings.COMPTOIR_SURVEY_DELAY = 0
    agent = AgentFactory(teams=[TeamFactory(name="Soutien")], email="sondage@comptoir.test")
    ticket = make_ticket(
        subject="Coupure rue Saint-Denis", body="Plus de courant depuis ce matin.", language="en"
    )
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status="resolved")

    body = Delivery.objects.get(ticket=ticket, kind="survey").body
    link = re.search(r"http\S+/survey/\S+\?satisfaction=2", body)
    assert link is not None, body
    customer = new_context("en-CA").new_page()
    customer.goto(link.group(0))
    expect(customer.get_by_role("heading", level=1)).to_have_text("How did we do?")
    # One click: the score of the link is recorded as the page opens (mail scanners, which do
    # not run the page's script, record nothing: tested in tests/surveys).
    expect(customer.get_by_test_id("survey-thanks")).to_be_visible()
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.satisfaction, survey.effort) == (2, None)
    expect(customer.get_by_test_id("survey-satisfaction").locator("input[value='2']")).to_be_checked()
    assert_accessible(customer)
    customer.get_by_test_id("survey-effort").get_by_label("6", exact=True).check()
    customer.get_by_label("Anything to add? (optional)").fill("Three calls before anyone called back.")
    customer.get_by_test_id("survey-submit").click()
    expect(customer.get_by_test_id("survey-thanks")).to_be_visible()

    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    card = desk.get_by_test_id("survey-card")
    expect(card.get_by_test_id("survey-scores")).to_contain_text("2/5")
    expect(card.get_by_test_id("survey-scores")).to_contain_text("6/7")
    expect(card.get_by_test_id("survey-low")).to_be_visible()
    expect(card.get_by_test_id("survey-comment")).to_have_text("Three calls before anyone called back.")
    desk.get_by_test_id("nav-voc").click()
    expect(desk).to_have_url(re.compile(r"/desk/voc/$"))
    entry = desk.get_by_test_id("voc-entry").filter(has_text="Three calls before anyone called back.")
    expect(entry).to_have_count(1)
    expect(entry.get_by_role("link", name=re.compile(ticket.reference))).to_be_visible()
    desk.get_by_test_id("voc-filter-q").fill("THREE CALLS")
    desk.get_by_test_id("voc-filter").get_by_role("button", name="Search").click()
    expect(desk.get_by_test_id("voc-entry")).to_have_count(1)
    assert_accessible(desk)
