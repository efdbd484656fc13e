"""Issue 11's journey in a real browser: a level-2 agent resolves a ticket, turns the resolution
into a French article, publishes it for the public and adds its English translation, all on the
desk; a customer typing a new request on the portal is shown the article, opens it and leaves
without sending; the supervisor's knowledge base page then counts one deflection."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import F
from playwright.sync_api import expect

from comptoir.knowledge.models import Article, DeflectionOpen, DeflectionVisit
from comptoir.knowledge.selectors import DEFLECTION_WINDOW
from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_resolution_becomes_an_article_that_deflects_a_request(
    live_server, settings, make_ticket, new_context
):
    settings.BASE_URL = live_server.url
    team = TeamFactory(name="Soutien")
    writer = AgentFactory(teams=[team], email="niveau2@comptoir.test", level=2)
    boss = AgentFactory(teams=[team], email="superviseure@comptoir.test", is_supervisor=True)
    ticket = make_ticket(
        name="Élodie Tremblay", subject="Plus de courant dans la maison",
        body="Bonjour, depuis ce matin je n'ai plus d'électricité dans toute la maison.",
    )  # fmt: skip

    # The agent answers and resolves the ticket on its page, then turns it into an article.
    desk = agent_login(new_context("en-CA"), live_server.url, writer.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    desk.locator("#id_body").fill("Le disjoncteur principal avait sauté : remettez-le en position marche.")
    desk.get_by_test_id("send-resolved").click()
    expect(desk.locator(".flash")).to_contain_text("Reply sent.")
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    desk.get_by_test_id("make-article").click()
    expect(desk).to_have_url(re.compile(r"/desk/kb/\d+/edit/$"))
    form = desk.get_by_test_id("kb-form")
    expect(form.get_by_label("Language")).to_have_value("fr")
    form.get_by_label("Title").fill("Panne de courant : vérifiez le disjoncteur")
    form.get_by_label("Text (Markdown)").fill(
        "Si vous n'avez plus d'électricité, remettez le **disjoncteur** principal en position marche."
    )
    form.get_by_label("Status").select_option("published")
    form.get_by_label("Visibility").select_option("public")
    form.get_by_test_id("kb-save").click()
    expect(desk.get_by_test_id("kb-body").locator("strong")).to_have_text("disjoncteur")
    french = Article.objects.get(language="fr")
    assert french.is_public and french.ticket_links.filter(ticket=ticket).exists()

    # Its English translation, through the desk.
    desk.get_by_test_id("kb-add-translation").click()
    form = desk.get_by_test_id("kb-form")
    expect(form.get_by_label("Language")).to_have_value("en")
    form.get_by_label("Title").fill("Power outage: check the breaker")
    form.get_by_label("Text (Markdown)").fill("No electricity? Switch the main **breaker** back on.")
    form.get_by_label("Status").select_option("published")
    form.get_by_test_id("kb-save").click()
    expect(desk.get_by_test_id("kb-translation-link")).to_have_text(french.title)
    assert Article.objects.get(language="en").translation_of_id == french.pk

    # A customer starts a new request on the portal: the article appears as they type.
    customer_context = new_context("fr-CA")
    portal = customer_context.new_page()
    portal.goto(live_server.url + "/")
    region = portal.get_by_test_id("deflection")
    expect(region).to_have_attribute("aria-live", "polite")
    form = portal.get_by_test_id("request-form")
    form.locator("#id_name").fill("Marc Gagnon")
    form.locator("#id_email").fill("marc@example.test")
    with portal.expect_response(re.compile(r"/help/suggest/$")) as answered:
        form.locator("#id_subject").press_sequentially("Panne")
    assert answered.value.ok
    expect(region.get_by_test_id("deflection-item")).to_have_count(0)  # too short to suggest
    form.locator("#id_description").press_sequentially("Mon disjoncteur a sauté, plus d'électricité.")
    item = region.get_by_test_id("deflection-item")
    expect(item).to_have_count(1)  # the French version, not both languages
    expect(item).to_have_attribute("data-article-id", str(french.pk))
    expect(item.get_by_role("link")).to_contain_text("Panne de courant")
    assert_accessible(portal)

    # They open it (a new tab, so the form keeps what they typed) and leave without sending.
    with customer_context.expect_page() as opened:
        item.get_by_role("link").click()
    article_page = opened.value
    expect(article_page.get_by_test_id("help-body").locator("strong")).to_have_text("disjoncteur")
    expect(article_page).to_have_url(re.compile(rf"/help/{french.pk}/$"))  # the token is not kept
    assert DeflectionOpen.objects.filter(article=french).count() == 1
    customer_context.close()
    assert Ticket.objects.count() == 1  # no request was sent

    # The 30-minute window is simulated: the visit's timestamps are moved back in the database
    # rather than waiting, as if the customer had left more than 30 minutes ago.
    back = DEFLECTION_WINDOW + timedelta(minutes=1)
    DeflectionVisit.objects.update(
        created_at=F("created_at") - back, first_opened_at=F("first_opened_at") - back
    )

    supervisor = agent_login(new_context("en-CA"), live_server.url, boss.email)
    supervisor.goto(live_server.url + "/desk/kb/")
    figure = supervisor.get_by_test_id("kb-deflection")
    expect(figure.get_by_test_id("deflection-visits")).to_have_text("1")
    expect(figure.get_by_test_id("deflection-opened")).to_have_text("1")
    expect(figure.get_by_test_id("deflection-deflected")).to_have_text("1")
    expect(figure.get_by_test_id("deflection-submitted")).to_have_text("0")
    expect(figure.get_by_test_id("deflection-rate")).to_have_text("100%")
    assert_accessible(supervisor)
    figure.get_by_test_id("kb-deflection-7").click()
    expect(supervisor.get_by_test_id("kb-deflection-7")).to_have_attribute("aria-current", "true")
    expect(supervisor.get_by_test_id("deflection-deflected")).to_have_text("1")
