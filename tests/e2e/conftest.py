"""Playwright fixtures: one headless Chromium (Debian's) per session, fresh contexts per test.

The sync API of Playwright runs an asyncio event loop in the test's thread for as long as the
browser is up. Django refuses ORM calls from a thread with a running loop (it raises
SynchronousOnlyOperation, guarding against blocking an async server), yet these tests are plain
synchronous code that create rows with factories and read ``mailoutbox`` between browser steps;
nothing here runs inside a coroutine. The usual way out for Playwright + Django tests is to tell
Django that this process knowingly does so; the flag is set only while this package's tests run
(package-scoped fixture below) and the browser closes with the package, so every other test keeps
Django's async-safety check (tests/test_settings.py checks that).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Generous: the suite may share a small machine with other work.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package", autouse=True)
def _async_unsafe_allowed() -> Iterator[None]:
    """Django's async-safety check is off for the browser tests only, and back on after them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_async_unsafe_allowed: None) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # Never a silent skip: the browser tests are part of the suite (scripts/test.sh installs it).
        pytest.fail("Chromium is not installed at /usr/bin/chromium; run scripts/test.sh")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Open a browser context (one person's cookies) speaking ``locale``; all closed at teardown."""
    contexts: list[BrowserContext] = []

    def make(locale: str = "fr-FR") -> BrowserContext:
        language = locale.split("-")[0]
        context = browser.new_context(
            locale=locale,
            extra_http_headers={"Accept-Language": f"{locale},{language};q=0.9"},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a French-speaking (fr-FR) browser: the customer's."""
    return new_context("fr-FR").new_page()


# --- Accessibility audit (axe-core, vendored under vendor/: a test tool, never served) -----------
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_BLOCKING = ("serious", "critical")


def axe_violations(page: Page, *, impacts: tuple[str, ...] = AXE_BLOCKING) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; the violations of the given impacts.

    The script goes in through the DevTools protocol (``evaluate``), which the page's
    Content-Security-Policy does not govern, so the audited page is the real one, CSP included.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in impacts]


def axe_report(violations: list[dict[str, Any]]) -> str:
    """The violations as a person reads them: rule, impact, help, and each offending element."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            for summary in (node.get("failureSummary") or "").splitlines():
                lines.append(f"        {summary.strip()}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


def assert_accessible(page: Page, url: str | None = None, *, impacts: tuple[str, ...] = AXE_BLOCKING) -> None:
    """Open ``url`` (or keep the current page) and fail on any serious or critical axe violation.

    Usable on any page of any test: ``assert_accessible(page, live_server.url + "/desk/")``.
    """
    if url is not None:
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: HTTP {response.status if response else '-'}"
    page.wait_for_load_state("load")
    violations = axe_violations(page, impacts=impacts)
    where = f"{page.url} (lang={page.locator('html').get_attribute('lang')})"
    assert not violations, f"accessibility violations on {where}:\n{axe_report(violations)}"


@pytest.fixture
def accessible() -> Callable[..., None]:
    """The audit as a fixture: ``accessible(page, url)``; see ``assert_accessible``."""
    return assert_accessible
