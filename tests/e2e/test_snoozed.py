"""Issue 10, snooze in a real browser: an agent snoozes a ticket from its page, finds it in the
"Snoozed" view with until when (the page passes the audit), and wakes it early."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_update
from tests.factories import AgentFactory, TeamFactory

from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_snooze_then_find_it_in_the_snoozed_view_and_wake_it(
    live_server, make_ticket, new_context, accessible
):
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="dormeur@comptoir.test", can_pick=True)
    ticket = make_ticket(subject="À revoir demain")
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, team=team, assignee=agent)
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    mine = desk.locator('[data-view="mine"] [data-testid="view-count"]')
    snoozed = desk.locator('[data-view="snoozed"] [data-testid="view-count"]')
    expect(mine).to_have_text("1")
    expect(snoozed).to_have_text("0")

    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    desk.get_by_text("Snooze until…").click()
    until = timezone.localtime() + timedelta(days=1)
    desk.get_by_test_id("snooze-until").fill(until.strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_test_id("snooze-form").locator("button[type=submit]").click()
    expect(desk.get_by_test_id("snoozed")).to_be_visible()

    desk.goto(f"{live_server.url}/desk/")
    expect(mine).to_have_text("0")
    expect(snoozed).to_have_text("1")
    desk.locator('[data-testid="view-link"][data-view="snoozed"]').click()
    row = desk.get_by_test_id("queue-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("snoozed-until")).to_contain_text("Snoozed until")
    accessible(desk, desk.url)
    row.get_by_test_id("row-link").click()
    desk.get_by_test_id("wake").click()
    expect(desk.get_by_test_id("snoozed")).to_have_count(0)
    assert Ticket.objects.get(pk=ticket.pk).snoozed_until is None
    desk.goto(f"{live_server.url}/desk/")
    expect(mine).to_have_text("1")
    expect(snoozed).to_have_text("0")
