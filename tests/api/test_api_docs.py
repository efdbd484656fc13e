"""Issue 8, item 13: /api/v1/docs works under the site's strict CSP, its assets served locally.

Before, the page loaded Swagger UI from a CDN that ``script-src 'self'`` rightly blocks: a blank page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from comptoir.common.middleware import CSP

pytestmark = [pytest.mark.django_db, pytest.mark.fault("issue8-13")]


def test_docs_reference_only_same_origin_assets_that_exist():
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), assets
    for url in assets:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), f"off-site asset: {url}"
        asset = client.get(url)
        assert asset.status_code == 200, url
        content = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert content, url
    # No inline script: the settings travel as inert JSON data, which the CSP does not execute.
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, (attrs, body[:80])
    assert page["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
