"""A clean browser console (issue 8, items 2 and 3): the chat page, polling and posting through
htmx under the strict CSP, logs no CSP violation (htmx's inline indicator styles are off) and no
failed request (the favicon exists), in a real Chromium.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

pytestmark = pytest.mark.e2e


def watch_console(page: Page) -> list[str]:
    """Collect every console error and CSP violation the page reports, as text."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None
        ),
    )
    return problems


@pytest.mark.fault("issue8-3")
def test_chat_page_console_has_no_csp_violation_nor_failed_request(live_server, page: Page) -> None:
    problems = watch_console(page)
    page.goto(live_server.url + "/chat/")
    start = page.get_by_test_id("chat-start")
    start.locator("#id_name").fill("Inès Morin")
    start.locator("#id_email").fill("ines.console@example.test")
    start.locator("#id_message").fill("Bonjour, mon compteur clignote.")
    start.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/chat/[^/]+/$"))
    conversation = page.get_by_test_id("chat-conversation")
    expect(conversation.get_by_test_id("chat-message")).to_have_count(1)

    # An htmx post (the reply form) and a few polls (every second) go through htmx's swap code.
    form = page.get_by_test_id("chat-form")
    form.locator("textarea, input[type=text]").first.fill("Il affiche E-04.")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("chat-message")).to_have_count(2)
    page.wait_for_timeout(2500)

    assert problems == []
