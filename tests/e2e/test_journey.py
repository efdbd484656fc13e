"""The whole journey in a real browser (issue 2): a customer submits the form, an agent logs in,
finds the ticket in the queue, replies; the customer opens the tracking link and sees the reply,
in French. Plus hostile markup through every page, and a customer's file reaching the desk.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import BrowserContext, Page, expect

from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.e2e

AGENT_PASSWORD = "agent-password-1"  # tests/factories.py


def fr(msgid: str, context: str | None = None) -> str:
    """The French catalog's text for ``msgid``; fails if French has no translation for it."""
    with translation.override("fr"):
        text = pgettext(context, msgid) if context else gettext(msgid)
    assert text != msgid, (
        f"no French translation for {msgid!r}: is comptoir/locale/fr/LC_MESSAGES/django.po "
        "translated and compiled to django.mo?"
    )
    return text


def status_fr(reference: str) -> str:
    """The ticket's current status as the French page must show it."""
    ticket = Ticket.objects.get(reference=reference)
    with translation.override("en"):
        english = str(ticket.get_status_display())
    with translation.override("fr"):
        french = str(ticket.get_status_display())
    assert french != english, f"no French translation for the status {english!r}"
    return french


def submit_request(page: Page, base: str, *, name: str, email: str, subject: str, description: str) -> str:
    """Fill the public form in French; return the reference shown on the confirmation page."""
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text(fr("Contact us"))
    expect(page.locator("label[for=id_name]")).to_contain_text(fr("Your name"))
    form = page.get_by_test_id("request-form")
    form.locator("#id_name").fill(name)
    form.locator("#id_email").fill(email)
    form.locator("#id_subject").fill(subject)
    form.locator("#id_description").fill(description)
    submit = form.locator("button[type=submit]")
    expect(submit).to_have_text(fr("Send my request"))
    submit.click()
    expect(page).to_have_url(re.compile(r"/submitted/[0-9a-f]{32}[A-Za-z0-9_-]{22}/$"))
    expect(page.locator("h1")).to_have_text(fr("Request received"))
    reference = page.get_by_test_id("reference").inner_text().strip()
    assert reference
    return reference


def agent_login(context: BrowserContext, base: str, email: str) -> Page:
    page = context.new_page()
    page.goto(base + "/desk/login/")
    form = page.locator("main form")
    form.locator("#id_username").fill(email)
    form.locator("#id_password").fill(AGENT_PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    return page


def open_from_queue(page: Page, reference: str) -> None:
    """From the desk, go to all open tickets, find the ticket's row and open it."""
    page.get_by_role("link", name=fr("All open tickets"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/desk/\?scope=all$"))
    row = page.get_by_test_id("queue-row").filter(has_text=reference)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=reference, exact=True).click()
    # The link carries the list it came from (issue 10: previous/next ticket of that view).
    expect(page).to_have_url(re.compile(rf"/desk/tickets/{re.escape(reference)}/\?from=view%3Dopen$"))
    expect(page.get_by_test_id("reference")).to_have_text(reference)


def test_customer_agent_customer_journey_in_french(live_server, settings, mailoutbox, page, new_context):
    settings.BASE_URL = live_server.url  # tracking links in emails must point at this server
    team = TeamFactory(name="Facturation")
    agent = AgentFactory(teams=[team])
    base = live_server.url
    subject = "Facture d’électricité erronée"
    description = "Bonjour,\nma facture de février est deux fois trop élevée. Pouvez-vous vérifier ?"

    # 1. The customer, browsing in French, submits the form.
    reference = submit_request(
        page,
        base,
        name="Éloïse Bérubé",
        email="eloise@example.test",
        subject=subject,
        description=description,
    )
    track_href = page.get_by_test_id("track-link").get_attribute("href")
    expect(page.get_by_test_id("track-link")).to_have_text(fr("Follow my request"))
    assert track_href and re.fullmatch(r"/track/[0-9a-f]{32}[A-Za-z0-9_-]{22}/", track_href)

    # 2. The acknowledgment: to that address, in French, with the reference and a working link.
    assert len(mailoutbox) == 1, [m.subject for m in mailoutbox]
    ack = mailoutbox[0]
    assert ack.to == ["eloise@example.test"]
    assert ack.subject == fr("[%(reference)s] We received your request") % {"reference": reference}
    assert reference in ack.body
    assert fr("Follow your request and reply to us here:") in ack.body
    links = re.findall(r"https?://\S+", ack.body)
    # The tracking link, then "My requests" (sign-in by email link, issue 10).
    assert links == [base + track_href, base + "/my/"], ack.body
    assert description not in ack.body  # never the customer's own text

    # 3. The link from the email opens the request, in French.
    page.goto(links[0])
    expect(page.get_by_test_id("reference")).to_have_text(reference)
    expect(page.locator("h1")).to_contain_text(subject)
    expect(page.get_by_test_id("message")).to_have_count(1)
    expect(page.get_by_test_id("message").first).to_contain_text("deux fois trop élevée")
    expect(page.get_by_test_id("status")).to_have_text(status_fr(reference))

    # 4. An agent (French-speaking too) logs in, finds the ticket in the queue and replies.
    desk = agent_login(new_context("fr-CA"), base, agent.email)
    open_from_queue(desk, reference)
    expect(desk.locator("h1")).to_contain_text(subject)
    reply = "Bonjour Éloïse, nous avons corrigé votre facture : le trop-perçu sera remboursé."
    form = desk.get_by_test_id("message-form")
    form.locator("#id_body").fill(reply)
    form.locator("button[type=submit]").click()
    expect(desk.locator(".flash")).to_contain_text(fr("Reply sent."))
    expect(desk.get_by_test_id("message").filter(has_text=reply)).to_have_count(1)

    # The reply is also emailed, in French, under the same reference.
    assert len(mailoutbox) == 2, [m.subject for m in mailoutbox]
    assert mailoutbox[1].to == ["eloise@example.test"]
    assert reference in mailoutbox[1].subject and reply in mailoutbox[1].body

    # 5. The customer opens the tracking link again and reads the reply, in French.
    page.goto(links[0])
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(2)
    expect(messages.nth(1)).to_contain_text(reply)
    expect(messages.nth(1).locator(".meta")).to_contain_text(fr("Customer service"))
    expect(messages.nth(0).locator(".meta")).to_contain_text(fr("You"))
    expect(page.get_by_test_id("status")).to_have_text(status_fr(reference))
    expect(page.locator("html")).to_have_attribute("lang", "fr")


HOSTILE = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>", '"><svg onload=alert(3)>']


def watch_dialogs(page: Page, fired: list[str]) -> None:
    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        fired.append(f"{page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)


def assert_inert(page: Page, where) -> None:  # type: ignore[no-untyped-def]
    """No element the payload would create exists; the payload is there as text."""
    main = page.locator("main")
    expect(main.locator("img[src=x], svg, script")).to_have_count(0)
    for payload in HOSTILE:
        expect(where).to_contain_text(payload)


def test_hostile_markup_is_shown_as_text_everywhere(live_server, settings, page, new_context):
    settings.BASE_URL = live_server.url
    agent = AgentFactory(teams=[TeamFactory(name="Sécurité")])
    base = live_server.url
    fired: list[str] = []
    watch_dialogs(page, fired)
    subject = " ".join(HOSTILE)
    description = "Texte piégé :\n" + "\n".join(HOSTILE)

    reference = submit_request(
        page, base, name='Mallory <b onmouseover=alert(4)>', email="mallory@example.test",
        subject=subject, description=description,
    )  # fmt: skip
    page.get_by_test_id("track-link").click()
    expect(page.get_by_test_id("reference")).to_have_text(reference)
    assert_inert(page, page.locator("h1"))
    assert_inert(page, page.get_by_test_id("message").first)

    desk = agent_login(new_context("fr-CA"), base, agent.email)
    watch_dialogs(desk, fired)
    open_from_queue(desk, reference)  # the queue page is loaded (and checked) on the way
    assert_inert(desk, desk.locator("h1"))
    assert_inert(desk, desk.get_by_test_id("message").first)
    expect(desk.locator("aside")).to_contain_text("Mallory <b onmouseover=alert(4)>")
    desk.go_back()
    expect(desk).to_have_url(re.compile(r"/desk/\?scope=all$"))
    assert_inert(desk, desk.get_by_test_id("queue-row").filter(has_text=reference))

    # Give any deferred handler (onerror fires after the image fails) a moment to run.
    page.wait_for_timeout(500)
    assert fired == []


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_customer_reply_with_attachment_reaches_the_desk(live_server, settings, page, new_context):
    settings.BASE_URL = live_server.url
    agent = AgentFactory(teams=[TeamFactory(name="Facturation")])
    base = live_server.url
    reference = submit_request(
        page, base, name="Gérard Lévesque", email="gerard@example.test",
        subject="Relevé de compteur", description="Voici mon relevé, je vous envoie la photo.",
    )  # fmt: skip
    page.get_by_test_id("track-link").click()

    form = page.get_by_test_id("reply-form")
    expect(form.locator("label[for=id_body]")).to_contain_text(fr("Your reply"))
    text = "Voilà le relevé de décembre en pièce jointe."
    form.locator("#id_body").fill(text)
    form.locator("#id_attachment").set_input_files(
        {"name": "relevé-décembre.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text(fr("Your reply was added to your request."))
    mine = page.get_by_test_id("message").filter(has_text=text)
    expect(mine).to_have_count(1)
    expect(mine.locator("a.file")).to_have_text("relevé-décembre.pdf")

    desk = agent_login(new_context("fr-CA"), base, agent.email)
    open_from_queue(desk, reference)
    message = desk.get_by_test_id("message").filter(has_text=text)
    expect(message).to_have_count(1)
    link = message.locator("a.file")
    expect(link).to_have_text("relevé-décembre.pdf")
    with desk.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "relevé-décembre.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read() == PDF
