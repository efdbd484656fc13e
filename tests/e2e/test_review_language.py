"""Issue 10, item 11 in a real browser: a review flag raised while English was active reads in
French once the supervisor switches the desk to French, the switch is saved as their language (the
one of their emails), and "My settings" changes it back; the settings page passes axe."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from comptoir.accounts.models import User
from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_a_flag_follows_the_desk_language_and_the_choice_is_saved(live_server, make_ticket, new_context):
    team = TeamFactory(name="Soutien")
    boss = AgentFactory(teams=[team], email="cheffe@comptoir.test", is_supervisor=True)
    with translation.override("en"):
        make_ticket(email="meme@example.test")
        ticket = make_ticket(email="meme@example.test", subject="Deuxième demande", unproven_identity=True)

    desk = agent_login(new_context("en-CA"), live_server.url, boss.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    expect(desk.get_by_test_id("review-reason")).to_contain_text("Same email or phone as an open request")

    desk.get_by_test_id("lang-fr").click()
    expect(desk.locator("html")).to_have_attribute("lang", "fr")
    expect(desk.get_by_test_id("review-reason")).to_contain_text("Même courriel ou téléphone")
    assert User.objects.get(pk=boss.pk).language == "fr", "the switch is saved on the supervisor"

    assert_accessible(desk, f"{live_server.url}/desk/me/")
    section = desk.get_by_test_id("language-section")
    section.get_by_label(re.compile("Langue")).select_option("en")
    section.get_by_test_id("language-save").click()
    expect(desk.locator("html")).to_have_attribute("lang", "en")
    expect(desk.get_by_test_id("flash")).to_contain_text("Language saved.")
    assert User.objects.get(pk=boss.pk).language == "en"
