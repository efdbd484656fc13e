"""Issue 8 in a real browser: a fresh install with no demo data. Two agents are added with
``comptoir agent add``, a customer writes through the public form, the level-1 agent gets the
request with "Next ticket", escalates it, and a level-2 agent gets it next. Plus the colour of a
refusal on the desk.
"""

from __future__ import annotations

import io
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import expect

from comptoir.routing.models import Team
from comptoir.sla.models import SlaPolicy
from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory

from .test_journey import AGENT_PASSWORD, agent_login, submit_request

pytestmark = pytest.mark.e2e


def _agent_add(email: str, team: str, level: int) -> None:
    call_command(
        "agent", "add", email, "--name", email.split("@")[0].capitalize(), "--team", team,
        "--level", str(level), "--password", AGENT_PASSWORD, stdout=io.StringIO(),
    )  # fmt: skip


@pytest.mark.fault("issue8-11")
def test_fresh_install_customer_to_level_1_to_level_2(live_server, page, new_context):
    # The database as ``migrate`` leaves it: the browser tests flush the database between tests,
    # so the rows the SLA and triage data migrations ship are written again by their own code.
    import_module("comptoir.sla.migrations.0002_default_calendar_and_policies").create_defaults(apps, None)
    import_module("comptoir.triage.migrations.0003_starter_categories").create_categories(apps, None)
    assert SlaPolicy.objects.count() == 4 and not Team.objects.exists()
    _agent_add("un@example.org", "Niveau 1", 1)
    _agent_add("deux@example.org", "Niveau 2", 2)

    reference = submit_request(
        page, live_server.url, name="Inès Caron", email="ines@example.org",
        subject="Compteur bloqué", description="Mon compteur affiche une erreur depuis hier.",
    )  # fmt: skip
    ticket = Ticket.objects.get(reference=reference)
    assert ticket.team.name == "Niveau 1" and ticket.first_response_due_at is not None

    level_1 = agent_login(new_context("en-CA"), live_server.url, "un@example.org")
    level_1.get_by_test_id("next-ticket").click()
    expect(level_1).to_have_url(re.compile(rf"/desk/tickets/{reference}/$"))
    level_1.locator("details summary", has_text="Escalate").click()
    form = level_1.get_by_test_id("escalate-form")
    expect(form.get_by_test_id("escalation-team").locator("option:checked")).to_have_text("Niveau 2")
    form.locator("input[name=reason]").fill("Meter fault")
    form.locator("textarea[name=summary]").fill("Error since yesterday; needs a technician's reading.")
    form.locator("button[type=submit]").click()
    expect(level_1.locator(".flash li.success")).to_contain_text("Ticket escalated.")

    level_2 = agent_login(new_context("en-CA"), live_server.url, "deux@example.org")
    # Issue 10: the bell says a ticket was escalated to their team; the team's view lists it.
    expect(level_2.get_by_test_id("bell-count")).to_have_text("1")
    level_2.locator('[data-testid="view-link"][data-view="team"]').click()
    expect(level_2.get_by_test_id("queue")).to_contain_text(reference)
    level_2.get_by_test_id("next-ticket").click()
    expect(level_2).to_have_url(re.compile(rf"/desk/tickets/{reference}/$"))
    ticket.refresh_from_db()
    assert (ticket.level, ticket.team.name, ticket.assignee.email) == (2, "Niveau 2", "deux@example.org")


@pytest.mark.fault("issue8-12")
def test_a_refusal_is_red_not_green(live_server, new_context):
    agent = AgentFactory(email="full@comptoir.test", capacity=0)
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.get_by_test_id("next-ticket").click()
    banner = desk.locator(".flash li.error")
    expect(banner).to_contain_text("your capacity")
    red, green, _blue = map(
        int, re.findall(r"\d+", banner.evaluate("e => getComputedStyle(e).backgroundColor"))[:3]
    )
    assert red > green  # a red-tinted background, not the success green
