"""My requests in a real browser (issue 10, items 8 and 9), in French and in English.

A customer with two requests finds "My requests" on the public page, asks for a sign-in link,
opens the link read from the outbox (the database, as a supervisor's outbox would hold it), sees
both requests and closes one. In the chat, a message that cannot be sent (the network drops it)
is announced in a live region and stays in the box.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import pgettext
from playwright.sync_api import expect

from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Ticket

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://\S+/my/continue/[^/\s]+/")


def request_of(email: str, subject: str, language: str) -> Ticket:
    return receive(
        InboundMessage(
            channel="web",
            customer=CustomerData(name="Camille Gagnon", email=email, language=language),
            subject=subject,
            text=f"{subject} : merci de me rappeler.",
            language=language,
        )
    ).ticket


@pytest.mark.parametrize(("locale", "language"), [("fr-FR", "fr"), ("en-CA", "en")])
def test_a_customer_signs_in_by_link_sees_two_requests_and_closes_one(
    live_server, settings, new_context, accessible, locale, language
):
    settings.BASE_URL = live_server.url
    email = f"camille.{language}@example.test"
    first = request_of(email, "Facture de mars", language)
    second = request_of(email, "Compteur bloqué", language)
    request_of("quelquun.dautre@example.test", "Pas à Camille", language)
    page = new_context(locale).new_page()

    # 1. From the public page, "My requests"; the sign-in form asks only for the address.
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_test_id("nav-my-requests").click()
    expect(page).to_have_url(live_server.url + "/my/")
    accessible(page)
    form = page.get_by_test_id("signin-form")
    form.locator("#id_email").fill(email)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("signin-sent")).to_be_visible()

    # 2. The link, as the outbox holds it; opening it asks for one click, which signs in.
    delivery = Delivery.objects.get(recipient=email, kind=Delivery.Kind.TRACKING_LINK)
    match = LINK.search(delivery.body)
    assert match is not None, delivery.body
    page.goto(match[0])
    page.get_by_test_id("continue").click()
    expect(page).to_have_url(live_server.url + "/my/")
    expect(page.locator("html")).to_have_attribute("lang", language)

    # 3. Both requests, and nobody else's.
    rows = page.get_by_test_id("my-request")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("my-requests")).to_contain_text(first.reference)
    expect(page.get_by_test_id("my-requests")).to_contain_text(second.reference)
    expect(page.get_by_test_id("my-requests")).not_to_contain_text("Pas à Camille")
    accessible(page)
    accessible(page, live_server.url + "/my/new/")
    page.goto(live_server.url + "/my/")

    # 4. Close one; the other stays open.
    page.get_by_role("link", name=first.reference).click()
    page.get_by_test_id("close-request").click()
    with translation.override(language):
        closed = pgettext("ticket status", "Closed")
    expect(page.get_by_test_id("status")).to_have_text(closed)
    expect(page.get_by_test_id("close-form")).to_have_count(0)
    accessible(page)
    page.goto(live_server.url + "/my/")
    expect(page.get_by_test_id("my-request").filter(has_text=first.reference)).to_contain_text(closed)
    expect(page.get_by_test_id("my-request").filter(has_text=second.reference)).not_to_contain_text(closed)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Ticket.Status.CLOSED and second.status != Ticket.Status.CLOSED

    # 5. Signed out, the list is gone.
    page.get_by_test_id("signout").click()
    expect(page.get_by_test_id("signin-form")).to_be_visible()
    expect(page.get_by_test_id("my-requests")).to_have_count(0)


def test_a_chat_message_that_cannot_be_sent_is_announced_and_kept(live_server, settings, page, accessible):
    settings.BASE_URL = live_server.url
    page.goto(live_server.url + "/chat/")
    start = page.get_by_test_id("chat-start")
    start.locator("#id_name").fill("Inès Morin")
    start.locator("#id_email").fill("ines.reseau@example.test")
    start.locator("#id_message").fill("Bonjour")
    start.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/chat/[^/]+/$"))
    expect(page.get_by_test_id("chat-agent-status")).to_be_visible()

    # The network drops the next send (the poll keeps working).
    def drop_posts(route) -> None:  # type: ignore[no-untyped-def]
        route.abort() if route.request.method == "POST" else route.fallback()

    page.route("**/chat/*/", drop_posts)
    form = page.get_by_test_id("chat-form")
    form.locator("#id_message").fill("Ce message ne part pas")
    form.locator("button[type=submit]").click()
    error = page.get_by_test_id("chat-send-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).not_to_be_empty()
    expect(form.locator("#id_message")).to_have_value("Ce message ne part pas")
    accessible(page)

    # Back online, the same text goes, and the message disappears.
    page.unroute("**/chat/*/", drop_posts)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("chat-conversation")).to_contain_text("Ce message ne part pas")
    expect(error).to_be_hidden()
