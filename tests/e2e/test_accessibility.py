"""Every page a customer or an agent uses passes an automated accessibility audit (axe-core: no
serious or critical violation), in French and in English; and the desk works on a phone.

Each page is audited as its user sees it, with real data on it (a ticket with a conversation and
a history, a customer record, a message in the outbox, an inbound error). New pages: call
``assert_accessible(page, url)`` from ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from comptoir.intake.models import InboundRecord
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_agent_message
from comptoir.tickets.tracking import make_token, tracking_url
from tests.factories import AgentFactory, TeamFactory

from .conftest import assert_accessible
from .test_journey import agent_login

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk_world(settings, live_server, make_ticket):
    """A team, an agent, a supervisor and a ticket with a conversation, history and outbox mail."""
    settings.BASE_URL = live_server.url
    team = TeamFactory(name="Soutien")
    agent = AgentFactory(teams=[team], email="agente@comptoir.test", name="Marie Tremblay", can_pick=True)
    boss = AgentFactory(
        teams=[team], email="chef@comptoir.test", name="Paul Gagnon", is_supervisor=True, level=2
    )
    ticket = make_ticket(
        subject="Ma facture est trop élevée",
        body="Bonjour, ma facture de novembre est deux fois plus élevée que d'habitude. Merci.",
    )
    chat = make_ticket(subject="Clavardage", body="Bonjour, mon compteur clignote.", channel="chat")
    Ticket.objects.filter(pk__in=[ticket.pk, chat.pk]).update(team=team)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent, status=Ticket.Status.OPEN)
    InboundRecord.objects.create(
        channel="email", dedupe_key="a11y-failed", payload={"fingerprint": "x"},
        status=InboundRecord.Status.FAILED, error="Unreadable message",
    )  # fmt: skip
    return {"team": team, "agent": agent, "boss": boss, "ticket": ticket, "chat": chat}


# The pages audited, as each role reaches them; add new pages here. Placeholders: {reference},
# {customer} (the ticket's customer id), {track} (its tracking link's token), {chat} (a chat's).
CUSTOMER_PATHS = ["/", "/chat/", "/track/{track}/", "/chat/{chat}/"]
AGENT_PATHS = [
    "/desk/",
    "/desk/?scope=all",
    "/desk/tickets/{reference}/",
    "/desk/customers/{customer}/",
    "/desk/calls/new/",
    "/desk/triage/",
]
SUPERVISOR_PATHS = ["/desk/categories/", "/desk/outbox/", "/desk/inbound/", "/desk/tickets/{reference}/"]


def _paths(paths: list[str], world: dict) -> list[str]:
    ticket, chat = world["ticket"], world["chat"]
    values = {
        "reference": ticket.reference,
        "customer": ticket.customer_id,
        "track": make_token(ticket.tracking_uid),
        "chat": make_token(chat.tracking_uid),
    }
    return [path.format(**values) for path in paths]


@pytest.mark.parametrize("locale", ["fr-CA", "en-CA"])
def test_customer_pages_pass_the_audit(live_server, desk_world, new_context, locale):
    page = new_context(locale).new_page()
    base = live_server.url
    for path in _paths(CUSTOMER_PATHS, desk_world):
        assert_accessible(page, base + path)
    assert tracking_url(desk_world["ticket"].tracking_uid).endswith(
        _paths(["/track/{track}/"], desk_world)[0]
    )
    # The form sent empty (the browser's own checks off): the server's errors are accessible too.
    page.goto(base + "/")
    form = page.get_by_test_id("request-form")
    form.evaluate("form => { form.noValidate = true; }")
    form.locator("button[type=submit]").click()
    expect(page.locator(".error").first).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("locale", ["fr-CA", "en-CA"])
def test_agent_pages_pass_the_audit(live_server, desk_world, new_context, locale):
    base = live_server.url
    context = new_context(locale)
    assert_accessible(context.new_page(), base + "/desk/login/")
    desk = agent_login(context, base, desk_world["agent"].email)
    for path in _paths(AGENT_PATHS, desk_world):
        assert_accessible(desk, base + path)
    boss = agent_login(new_context(locale), base, desk_world["boss"].email)
    for path in _paths(SUPERVISOR_PATHS, desk_world):
        assert_accessible(boss, base + path)


def test_skip_link_leads_to_the_main_content(live_server, desk_world, new_context):
    desk = agent_login(new_context("en-CA"), live_server.url, desk_world["agent"].email)
    desk.keyboard.press("Tab")
    skip = desk.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown when focused
    skip.press("Enter")
    expect(desk).to_have_url(f"{live_server.url}/desk/#main")
    expect(desk.locator("main#main")).to_be_visible()


def test_chat_answers_are_announced_once_to_screen_readers(live_server, desk_world, page):
    chat = desk_world["chat"]
    page.goto(f"{live_server.url}/chat/{make_token(chat.tracking_uid)}/")
    announcer = page.get_by_test_id("chat-announcer")
    expect(announcer).to_have_attribute("role", "log")
    expect(page.get_by_test_id("chat-message")).to_have_count(1)
    page.wait_for_timeout(1500)  # a poll or more: nothing new, nothing said
    expect(announcer).to_have_text("")
    ticket_agent_message(ticket=Ticket.objects.get(pk=chat.pk), actor=desk_world["agent"], internal=False,
                         body="Bonjour, pouvez-vous nous donner le code affiché ?")  # fmt: skip
    expect(announcer).to_contain_text("pouvez-vous nous donner le code affiché")
    page.wait_for_timeout(2500)  # later polls do not repeat it
    assert announcer.inner_text().count("pouvez-vous nous donner") == 1
    expect(announcer).not_to_contain_text("compteur clignote")  # the customer's own words are not read back


def _no_horizontal_overflow(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: the page is {width}px wide on a {PHONE['width']}px phone"


def test_the_desk_works_on_a_phone(live_server, desk_world, browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True, locale="fr-CA",
        extra_http_headers={"Accept-Language": "fr-CA,fr;q=0.9"},
    )  # fmt: skip
    try:
        ticket = desk_world["ticket"]
        desk = agent_login(context, live_server.url, desk_world["agent"].email)
        lists = [
            "/desk/?scope=all",
            "/desk/triage/",
            f"/desk/customers/{ticket.customer_id}/",
            "/desk/calls/new/",
        ]
        for path in [*lists, "/desk/"]:  # the agent's own list last
            desk.goto(live_server.url + path)
            _no_horizontal_overflow(desk)
        expect(desk.get_by_test_id("queue-row").first).to_be_visible()
        desk.get_by_test_id("queue-row").filter(has_text=ticket.reference).get_by_role("link").first.click()
        expect(desk.get_by_test_id("reference")).to_have_text(ticket.reference)
        _no_horizontal_overflow(desk)
        # The reply form: visible, within the screen, typed into and sent with a tap.
        form = desk.get_by_test_id("message-form")
        body = form.locator("textarea").first
        body.scroll_into_view_if_needed()
        box = body.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert box["width"] >= PHONE["width"] * 0.6, box  # not squeezed into a column
        body.tap()
        body.fill("Bonjour, nous vérifions votre facture et revenons vers vous aujourd'hui.")
        send = form.locator("button[type=submit]")
        send_box = send.bounding_box()
        assert (
            send_box is not None
            and send_box["height"] >= 24
            and send_box["x"] + send_box["width"] <= PHONE["width"]
        )
        send.tap()
        expect(desk.locator(".msg-public").last).to_contain_text("nous vérifions votre facture")
        _no_horizontal_overflow(desk)
        assert_accessible(desk)
    finally:
        context.close()
