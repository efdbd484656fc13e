"""Issue 10, bulk actions in a real browser: on the triage page an agent ticks three rows,
assigns them to themselves at once, reads the summary, and undoes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory, TeamFactory

from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_bulk_assign_three_rows_to_me_then_undo(live_server, settings, make_ticket, new_context, accessible):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough: all to the triage queue
    team = TeamFactory(name="Support")
    agent = AgentFactory(teams=[team], email="dispatch@comptoir.test", can_pick=True)
    tickets = [
        make_ticket(subject=f"Question {n}", body="J'ai une question sur mon relevé.") for n in range(4)
    ]
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    accessible(desk, f"{live_server.url}/desk/triage/")  # the toolbar and row boxes pass axe
    for ticket in tickets[:3]:
        desk.get_by_label(f"Select {ticket.reference}").check()
    desk.get_by_label("With the selected tickets").select_option("assign_me")
    desk.get_by_test_id("bulk-submit").click()
    expect(desk.locator(".flash")).to_contain_text("3 tickets changed.")
    held = dict(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("reference", "assignee_id"))
    assert held == {**{t.reference: agent.pk for t in tickets[:3]}, tickets[3].reference: None}
    desk.get_by_test_id("bulk-undo").click()
    expect(desk.locator(".flash")).to_contain_text("3 tickets restored.")
    expect(desk.get_by_test_id("bulk-undo")).to_have_count(0)
    assert not Ticket.objects.filter(pk__in=[t.pk for t in tickets], assignee__isnull=False).exists()
    accessible(desk, f"{live_server.url}/desk/tickets/{tickets[0].reference}/")  # merge, split, snooze
