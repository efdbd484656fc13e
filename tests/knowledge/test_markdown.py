"""Hostile Markdown: what an author (or a stolen author account) types never runs in a reader's page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from comptoir.knowledge.markdown import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<img src="x" onerror="alert(1)">',
    '<a href="https://e.test" onclick="alert(1)">x</a>',
    "![img](javascript:alert(1))",
    '<iframe src="https://evil.test"></iframe>',
    "<svg onload=alert(1)>",
    '[x](https://e.test "t" onmouseover="alert(1)")',
    '<div style="background:url(javascript:alert(1))">x</div>',
]


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("body", HOSTILE)
def test_nothing_runs(body):
    for tag, attrs in elements(render_markdown(body)):
        assert tag in {"p", "a", "strong", "em", "code", "pre"}, tag
        for name, value in attrs:
            assert not name.startswith("on"), name
            assert name in {"href", "title", "rel"}, name
            if name == "href":
                assert (value or "").startswith(("https:", "http:", "mailto:")), value


def test_links_kept_safe():
    html = render_markdown("[aide](https://comptoir.test/aide) et **gras**")
    assert html == (
        '<p><a href="https://comptoir.test/aide" rel="noopener noreferrer nofollow">aide</a>'
        " et <strong>gras</strong></p>\n"
    )


@pytest.mark.django_db
def test_hostile_article_on_the_portal(make_article):
    article = make_article(title="<script>alert('t')</script>", body="\n\n".join(HOSTILE))
    page = Client().get(f"/help/{article.pk}/").content.decode()
    body = page.split('data-testid="help-article"', 1)[1].split("</article>")[0]
    for tag, attrs in elements(body):
        assert tag in {"h1", "div", "p", "a", "strong", "em", "code", "pre"}, tag
        assert all(not name.startswith("on") for name, _value in attrs)
        assert all((v or "").startswith(("https:", "/")) for n, v in attrs if n == "href")
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in body
