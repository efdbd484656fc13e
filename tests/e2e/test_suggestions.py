"""Suggestions (issue 11, item 4) in a real browser: the card waits for the worker and appears by
itself (htmx polling), "Insert link" puts the article's help-centre address in the reply at the
cursor, and once sent the customer's context panel lists the article as sent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from comptoir.knowledge.services import ArticleData, article_create
from comptoir.search.models import SentArticle
from comptoir.tickets.enrichment import ticket_enrich
from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e


def test_suggested_article_inserted_in_a_reply_and_recorded(live_server, settings, make_ticket, new_context):
    settings.BASE_URL = live_server.url
    agent = AgentFactory(teams=[TeamFactory(name="Support")], level=2)
    article = article_create(
        actor=agent,
        data=ArticleData(
            title="Reset your online account password",
            body="Forgot your password? Click *Forgot password* on the sign-in page and follow the email.",
            language="en",
            status="published",
            visibility="public",
        ),
    )  # its vector is written by the worker's task (run at once here) after the commit
    # No worker for the new ticket: its analysis waits, and the page says so.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ticket = make_ticket(
        subject="Mot de passe oublié",
        body="Bonjour, j'ai oublié mon mot de passe et je ne peux plus me connecter.",
    )
    desk = agent_login(new_context("en-CA"), live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.reference}/")
    card = desk.get_by_test_id("ticket-suggestions")
    expect(card.get_by_test_id("suggestions-pending")).to_be_visible()

    ticket_enrich(ticket_id=ticket.pk)  # the worker: the card shows the result without a reload
    suggested = desk.get_by_test_id("ticket-suggestions").get_by_test_id("suggested-article").first
    expect(suggested).to_contain_text("Reset your online account password")
    expect(desk.get_by_test_id("suggestions-pending")).to_have_count(0)
    assert_accessible(desk)

    body = desk.locator("#id_body")
    body.fill("Bonjour, voici la marche à suivre : ")
    body.press("End")
    suggested.get_by_test_id("insert-link").click()
    link = f"{live_server.url}/help/{article.pk}/"
    expect(body).to_have_value(re.compile(re.escape(link)))
    expect(body).to_be_focused()
    body.press_sequentially(" Cordialement.")
    expect(body).to_have_value(f"Bonjour, voici la marche à suivre : {link} Cordialement.")
    desk.get_by_test_id("send").click()

    expect(desk.get_by_test_id("reply-sent").first).to_be_visible()
    expect(desk.get_by_test_id("context-article")).to_contain_text("Reset your online account password")
    assert list(SentArticle.objects.values_list("article_id", "ticket_id")) == [(article.pk, ticket.pk)]
