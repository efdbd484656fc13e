"""Issue 8, item 13 in a real browser: /api/v1/docs lists the API's operations under the strict CSP.

Before, Swagger UI came from a CDN that the CSP blocks: Chromium showed a blank page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.fault("issue8-13")]


def test_api_docs_list_the_operations(live_server, new_context):
    page = new_context("en-CA").new_page()
    blocked: list[str] = []
    off_site: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else off_site.append(r.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Comptoir API")
    operations = page.locator(".opblock-summary-path")
    expect(operations.filter(has_text="/api/v1/tickets/{reference}").first).to_be_visible()
    assert operations.count() >= 15
    # Open one operation: its parameters render (the UI works, not only its first paint).
    page.locator(".opblock-summary-path", has_text="/api/v1/customers/{customer_id}").first.click()
    expect(page.locator(".parameters-col_name", has_text="customer_id").first).to_be_visible()
    assert off_site == []
    assert blocked == []
