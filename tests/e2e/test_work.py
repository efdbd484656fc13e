"""Issue 4 in a real browser: a level-1 agent asks for the next ticket, sees the time left,
escalates it with a summary; a senior approves a junior's urgent reply before the customer sees it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.tracking import tracking_url
from tests.factories import AgentFactory, TeamFactory

from .test_journey import agent_login, fr

pytestmark = pytest.mark.e2e


def test_next_ticket_then_escalation_in_french(live_server, make_ticket, new_context):
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="niveau1@comptoir.test")
    later = make_ticket(subject="Plus tard")
    urgent = make_ticket(subject="Urgent")
    now = timezone.now()
    Ticket.objects.filter(pk=later.pk).update(team=team, due_at=now + timedelta(hours=5))
    Ticket.objects.filter(pk=urgent.pk).update(team=team, due_at=now - timedelta(minutes=30))
    desk = agent_login(new_context("fr-CA"), live_server.url, agent.email)
    # The first page is the agent's own work (issue 10): the team's queue is the next view.
    desk.locator('[data-testid="view-link"][data-view="team"]').click()
    expect(desk.get_by_test_id("queue-row").first).to_contain_text("Urgent")  # most overdue first
    expect(desk.get_by_test_id("time-left").first).to_contain_text("en retard de")
    desk.get_by_test_id("next-ticket").click()
    expect(desk).to_have_url(re.compile(rf"/desk/tickets/{urgent.reference}/$"))
    expect(desk.get_by_test_id("pick")).to_have_count(0)  # level 1: no free picking
    desk.get_by_text(fr("Escalate"), exact=True).first.click()
    form = desk.get_by_test_id("escalate-form")
    form.locator("input[name=reason]").fill("Compteur défectueux")
    form.locator("textarea[name=summary]").fill("Relevé impossible, compteur bloqué depuis mars.")
    form.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("escalate-form")).to_have_count(0)  # now at level 2
    expect(desk.get_by_test_id("deescalate-form")).to_have_count(0)  # level 2 sends it back, not level 1
    expect(desk.locator(".msg-internal").last).to_contain_text("compteur bloqué depuis mars")
    ticket = Ticket.objects.get(pk=urgent.pk)
    assert ticket.level == 2 and ticket.assignee_id is None


def test_senior_approves_a_juniors_urgent_reply(live_server, settings, make_ticket, page, new_context):
    settings.BASE_URL = live_server.url
    team = TeamFactory(name="Soutien")
    senior = AgentFactory(teams=[team], level=2, email="senior@comptoir.test")
    junior = AgentFactory(teams=[team], email="junior@comptoir.test", mentor=senior)
    ticket = make_ticket(subject="Il y a des fils tombés", body="Des fils tombés devant chez moi.")
    assert ticket.priority == "P1"
    desk = agent_login(new_context("fr-CA"), live_server.url, junior.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    form = desk.get_by_test_id("message-form")
    form.locator("textarea").first.fill("Une équipe est en route, éloignez-vous des fils.")
    form.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("held")).to_be_visible()
    page.goto(tracking_url(ticket.tracking_uid))
    expect(page.locator("body")).not_to_contain_text("Une équipe est en route")
    boss = agent_login(new_context("fr-CA"), live_server.url, senior.email)
    boss.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    boss.get_by_test_id("approve").click()
    expect(boss.get_by_test_id("held")).to_have_count(0)
    assert Message.objects.get(ticket=ticket, kind="public").held_for_id is None
    page.reload()
    expect(page.locator("body")).to_contain_text("Une équipe est en route")


def test_senior_approves_from_the_approvals_list(live_server, settings, make_ticket, page, new_context):
    """Issue 10: the junior sees "waiting for approval"; the senior reaches the reply from the
    desk header's Approvals list, approves it there, and the customer then reads it."""
    settings.BASE_URL = live_server.url
    team = TeamFactory(name="Support")
    senior = AgentFactory(teams=[team], level=2, email="lead@comptoir.test")
    junior = AgentFactory(teams=[team], email="new@comptoir.test", mentor=senior)
    ticket = make_ticket(subject="Power lines down", body="Power lines are down in front of my house.")
    assert ticket.priority == "P1"
    desk = agent_login(new_context("en-CA"), live_server.url, junior.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    form = desk.get_by_test_id("message-form")
    form.locator("textarea").first.fill("A crew is on its way; keep away from the lines.")
    form.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("reply-waiting")).to_have_text("Waiting for approval")
    expect(desk.get_by_test_id("reply-sent")).to_have_count(0)
    boss = agent_login(new_context("en-CA"), live_server.url, senior.email)
    boss.get_by_test_id("approvals-link").click()
    row = boss.get_by_test_id("approval")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("A crew is on its way")
    row.get_by_test_id("approve").click()
    expect(boss).to_have_url(re.compile(r"/desk/approvals/$"))
    expect(boss.get_by_test_id("approval")).to_have_count(0)
    page.goto(tracking_url(ticket.tracking_uid))
    expect(page.locator("body")).to_contain_text("A crew is on its way")
