"""Issue 10 walk, in a real browser: the ticket page's service-level line follows a customer reply
live, the approvals list shows a held reply without a reload, a list refreshes while a row's
checkbox has focus, and a restored reply draft keeps its macro and public/internal choice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from comptoir.macros.services import MacroData, macro_create, reply_send
from comptoir.sla.services import sla_default_setup
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_customer_reply
from tests.factories import AgentFactory, TeamFactory

from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_service_line_follows_a_customer_reply(live_server, make_ticket, new_context):
    sla_default_setup()  # a live-server test's flushed database has lost the migration's policies
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="sla@comptoir.test")
    ticket = make_ticket(subject="Compteur", body="Mon compteur affiche une erreur.")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, team=team)
    reply_send(ticket_id=ticket.pk, actor=agent, body="Pouvez-vous envoyer une photo ?", internal=False,
               then_status="waiting_customer")  # fmt: skip
    waiting = Ticket.objects.get(pk=ticket.pk)
    assert waiting.status == "waiting_customer" and waiting.sla_policy_id is not None
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    expect(desk.get_by_test_id("sla-paused")).to_be_visible(timeout=15_000)
    box = desk.locator("#reply-form textarea[name=body]")
    box.fill("Merci")
    ticket_customer_reply(ticket=Ticket.objects.get(pk=ticket.pk), body="Voici la photo.", channel="web")
    expect(desk.get_by_test_id("sla-paused")).to_have_count(0, timeout=10_000)
    expect(desk.get_by_test_id("sla")).to_be_visible()
    assert box.input_value() == "Merci", "the reply form is never swapped"


def test_approvals_list_shows_a_held_reply_live(live_server, make_ticket, new_context):
    team = TeamFactory(name="Soutien")
    senior = AgentFactory(teams=[team], level=2, email="lead@comptoir.test")
    junior = AgentFactory(teams=[team], email="new@comptoir.test", mentor=senior)
    ticket = make_ticket(subject="Power lines down", body="Power lines are down in front of my house.")
    assert ticket.priority == "P1"
    boss = agent_login(new_context("en-CA"), live_server.url, senior.email)
    boss.goto(f"{live_server.url}/desk/approvals/")
    expect(boss.get_by_test_id("approval")).to_have_count(0)
    boss.evaluate("() => { window.__noReload = true; }")
    reply_send(ticket_id=ticket.pk, actor=junior, body="A crew is on its way.", internal=False)
    expect(boss.get_by_test_id("approval")).to_have_count(1, timeout=12_000)
    expect(boss.get_by_test_id("approval")).to_contain_text("A crew is on its way")
    assert boss.evaluate("() => window.__noReload === true"), "no reload"


def test_a_list_refreshes_while_a_row_checkbox_has_focus(live_server, make_ticket, new_context):
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="liste@comptoir.test")
    first = make_ticket(subject="Première demande")
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/?view=open")
    queue = desk.get_by_test_id("queue")
    expect(queue).to_contain_text(first.reference)
    box = desk.locator(f"input[type=checkbox][value='{first.reference}']")
    box.check()
    box.focus()
    second = make_ticket(subject="Nouvelle panne", email="autre@example.test")
    expect(queue).to_contain_text(second.reference, timeout=12_000)
    expect(desk.locator(f"input[type=checkbox][value='{first.reference}']")).to_be_checked()


def test_a_restored_draft_keeps_its_macro(live_server, make_ticket, new_context):
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="brouillon@comptoir.test")
    macro = macro_create(
        actor=agent,
        data=MacroData(name="Photo", body_fr="Merci d'envoyer une photo.", set_status="waiting_customer"),
    )
    ticket = make_ticket(subject="Compteur", body="Erreur E4.")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, team=team)
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    desk.get_by_test_id("macro-pick").select_option(str(macro.pk))
    desk.get_by_test_id("macro-insert").click()
    expect(desk.get_by_test_id("macro-chosen")).to_be_visible()
    box = desk.locator("#reply-form textarea[name=body]")
    box.press("End")
    box.type(" Bonne journée.")
    desk.get_by_test_id("mode-note").check()
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    expect(box).to_have_value("Merci d'envoyer une photo. Bonne journée.")
    expect(desk.locator("#reply-form [name=macro]")).to_have_value(str(macro.pk))
    expect(desk.get_by_test_id("macro-pick")).to_have_value(str(macro.pk))
    expect(desk.get_by_test_id("mode-note")).to_be_checked()
    # Sent: the macro's action applies and the draft goes, its fields with it.
    desk.get_by_test_id("mode-public").check()
    desk.locator("#reply-form [data-testid=send]").click()
    expect(desk.get_by_test_id("reply-sent")).to_have_count(1)
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting_customer"
    kept = desk.evaluate(f"() => localStorage.getItem('comptoir:draft:{ticket.reference}')")
    assert kept is None
    desk.reload()
    expect(box).to_have_value("")
    expect(desk.locator("#reply-form [name=macro]")).to_have_value("")
