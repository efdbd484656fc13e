"""Issue 10's reply tools in a real browser: a draft survives a reload, a macro fills the reply box
in the ticket's language (htmx, no page load), and "send and set resolved" does both at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from comptoir.macros.services import MacroData, macro_create
from comptoir.tickets.models import Message, Ticket
from tests.factories import AgentFactory, TeamFactory

from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_agent_applies_a_macro_sends_and_resolves_and_the_draft_survives(
    live_server, settings, make_ticket, new_context
):
    settings.BASE_URL = live_server.url
    team = TeamFactory(name="Soutien")
    boss = AgentFactory(teams=[team], is_supervisor=True)
    agent = AgentFactory(teams=[team], email="camille@comptoir.test", name="Camille Dubé")
    macro_create(
        actor=boss,
        data=MacroData(
            name="Facture corrigée",
            body_fr="Bonjour {{customer_name}}, votre demande {{reference}} est réglée. {{agent_name}}",
            body_en="Hello {{customer_name}}, request {{reference}} is solved. {{agent_name}}",
            shared=True,
        ),
    )
    ticket = make_ticket(name="Élodie Tremblay", subject="Facture incorrecte")
    url = f"{live_server.url}/desk/tickets/{ticket.reference}/"
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(url)
    form = desk.get_by_test_id("message-form")
    body = form.locator("#id_body")

    # A draft is kept in the browser: a reload gives it back.
    body.fill("Merci de votre patience.")
    desk.reload()
    expect(desk.locator("#id_body")).to_have_value("Merci de votre patience.")
    expect(desk.get_by_test_id("draft-status")).to_contain_text("Draft restored")

    # The note switch changes how the form looks and what its button says.
    desk.get_by_test_id("mode-note").check()
    expect(desk.get_by_test_id("send")).to_have_accessible_name("Add internal note")
    expect(desk.get_by_test_id("send-resolved")).to_be_hidden()
    desk.get_by_test_id("mode-public").check()
    expect(desk.get_by_test_id("send")).to_have_accessible_name("Send reply")

    # The macro fills the box in the ticket's language (French), after what was typed, in place.
    desk.get_by_test_id("macro-pick").select_option(label="Facture corrigée")
    desk.get_by_test_id("macro-insert").click()
    macro_text = f"Bonjour Élodie Tremblay, votre demande {ticket.reference} est réglée. Camille Dubé"
    filled = f"Merci de votre patience.\n\n{macro_text}"
    expect(desk.locator("#id_body")).to_have_value(filled)
    expect(desk.get_by_test_id("macro-chosen")).to_be_visible()
    expect(desk).to_have_url(re.compile(rf"/desk/tickets/{ticket.reference}/$"))  # htmx: no page load

    desk.get_by_test_id("send-resolved").click()
    expect(desk.locator(".flash")).to_contain_text("Reply sent.")
    expect(desk.get_by_test_id("message").filter(has_text="votre demande")).to_have_count(1)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == "resolved"
    # (a browser posts a textarea's line breaks as CRLF)
    assert Message.objects.get(ticket=ticket, kind="public").body.replace("\r\n", "\n") == filled

    # Sent: the draft is gone, a reload shows an empty box.
    desk.reload()
    expect(desk.locator("#id_body")).to_have_value("")
