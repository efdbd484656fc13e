"""Issue 10 in a real browser: an agent has a ticket open and is typing; the customer answers; the
page shows the answer within seconds without a reload, the typed text is still there, the bell's
count rises, and a colleague who opens the ticket appears as viewing."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_customer_reply
from tests.factories import AgentFactory, TeamFactory

from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_a_customer_reply_appears_live_and_keeps_what_the_agent_types(live_server, make_ticket, new_context):
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="agente@comptoir.test", name="Agente Live")
    colleague = AgentFactory(teams=[team], email="collegue@comptoir.test", name="Collègue Nadeau")
    ticket = make_ticket(subject="Facture en double", body="J'ai reçu deux factures.")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, team=team)

    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    expect(desk.get_by_test_id("bell-count")).to_have_text("0")
    box = desk.locator("#reply-form textarea[name=body]")
    box.fill("Bonjour, je vérifie vos deux factures")
    url_before = desk.url
    # Marks the page: a reload would lose it.
    desk.evaluate("() => { window.__noReload = true; }")

    ticket_customer_reply(
        ticket=Ticket.objects.get(pk=ticket.pk), body="Il y en a même une troisième !", channel="web"
    )
    started = time.monotonic()
    expect(desk.get_by_test_id("conversation")).to_contain_text(
        "Il y en a même une troisième", timeout=10_000
    )
    shown_after = time.monotonic() - started
    assert shown_after < 10
    expect(desk.get_by_test_id("bell-count")).to_have_text("1", timeout=10_000)
    assert box.input_value() == "Bonjour, je vérifie vos deux factures", "what the agent typed is kept"
    assert desk.evaluate("() => window.__noReload === true") and desk.url == url_before, "no reload"

    # A colleague opens the same ticket: the agent sees them, and they see the agent writing.
    other = agent_login(new_context("en-CA"), live_server.url, colleague.email)
    other.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    expect(other.get_by_test_id("presence")).to_contain_text("Agente Live is writing a reply", timeout=10_000)
    expect(desk.get_by_test_id("presence")).to_contain_text("Collègue Nadeau is viewing", timeout=10_000)
    assert box.input_value() == "Bonjour, je vérifie vos deux factures"

    # Sending now: the customer's new message came after the page loaded, so it is confirmed first.
    desk.locator("#reply-form [data-testid=send]").click()
    expect(desk.get_by_test_id("reply-check")).to_be_visible()
    expect(desk.locator("#reply-form textarea[name=body]")).to_have_value(
        "Bonjour, je vérifie vos deux factures"
    )
    desk.locator("#reply-form [data-testid=send]").click()
    expect(desk.get_by_test_id("reply-sent").last).to_be_visible()


def test_a_list_shows_new_tickets_and_who_is_on_them_without_reload(live_server, make_ticket, new_context):
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="liste@comptoir.test")
    colleague = AgentFactory(teams=[team], email="voisin@comptoir.test", name="Voisin Bélanger")
    first = make_ticket(subject="Première demande")
    Ticket.objects.filter(pk=first.pk).update(team=team)
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/?view=open")
    queue = desk.get_by_test_id("queue")
    expect(queue).to_contain_text(first.reference)
    desk.evaluate("() => { window.__noReload = true; }")

    second = make_ticket(subject="Nouvelle panne de courant", email="autre@example.test")
    expect(queue).to_contain_text(second.reference, timeout=12_000)

    other = agent_login(new_context("en-CA"), live_server.url, colleague.email)
    other.goto(f"{live_server.url}/desk/tickets/{first.reference}/")
    expect(desk.get_by_test_id("row-presence")).to_contain_text("Voisin Bélanger", timeout=12_000)
    assert desk.evaluate("() => window.__noReload === true"), "no reload"


def test_notification_pages_pass_the_accessibility_audit(live_server, new_context, accessible):
    team = TeamFactory(name="Soutien")
    senior = AgentFactory(teams=[team], level=2, email="senior-a11y@comptoir.test")
    AgentFactory(teams=[team], mentor=senior)  # a paired junior: the approvals list is theirs
    desk = agent_login(new_context("fr-CA"), live_server.url, senior.email)
    for path in ("/desk/notifications/", "/desk/me/notifications/", "/desk/approvals/"):
        accessible(desk, live_server.url + path)
