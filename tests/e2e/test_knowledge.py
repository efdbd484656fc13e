"""Issue 11 in a real browser: a level-2 agent writes a French article and its English
translation on the desk; a visitor finds it on the help centre by an accent-less word and
follows the translation link. Every page passes the accessibility audit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_article_written_translated_and_found(live_server, new_context):
    agent = AgentFactory(teams=[TeamFactory(name="Soutien")], email="redige@comptoir.test", level=2)
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.get_by_test_id("nav-kb").click()
    expect(desk).to_have_url(re.compile(r"/desk/kb/$"))
    assert_accessible(desk)
    desk.get_by_test_id("kb-new").click()
    form = desk.get_by_test_id("kb-form")
    form.get_by_label("Title").fill("Panne d'électricité")
    form.get_by_label("Text (Markdown)").fill("Vérifiez le **disjoncteur** puis appelez-nous.")
    form.get_by_label("Language").select_option("fr")
    form.get_by_label("Status").select_option("published")
    form.get_by_label("Visibility").select_option("public")
    assert_accessible(desk)
    form.get_by_test_id("kb-save").click()
    expect(desk.get_by_test_id("kb-body").locator("strong")).to_have_text("disjoncteur")
    assert_accessible(desk)
    desk.get_by_test_id("kb-add-translation").click()
    form = desk.get_by_test_id("kb-form")
    expect(form.get_by_label("Language")).to_have_value("en")
    form.get_by_label("Title").fill("Power outage")
    form.get_by_label("Text (Markdown)").fill("Check the **breaker**, then call us.")
    expect(form.get_by_label("Visibility")).to_have_value("public")
    expect(form.get_by_label("Status")).to_have_value("draft")  # a translation starts as a draft
    form.get_by_label("Status").select_option("published")
    form.get_by_test_id("kb-save").click()
    expect(desk.get_by_test_id("kb-translation-link")).to_have_text("Panne d'électricité")

    visitor = new_context("fr-CA").new_page()
    visitor.goto(live_server.url + "/")
    visitor.get_by_test_id("nav-help").click()
    visitor.get_by_test_id("help-q").fill("electricite")
    visitor.get_by_test_id("help-q").press("Enter")
    hit = visitor.get_by_test_id("help-result")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text("électricité")
    assert_accessible(visitor)
    hit.get_by_role("link").click()
    expect(visitor.get_by_test_id("help-body").locator("strong")).to_have_text("disjoncteur")
    assert_accessible(visitor)
    visitor.get_by_test_id("help-translations").get_by_role("link").click()
    expect(visitor.locator("h1")).to_have_text("Power outage")
