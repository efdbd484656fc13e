"""Markdown to safe HTML: markdown-it (CommonMark, raw HTML off) then nh3 (Ammonia) allow-list.

Two locks, on purpose: markdown-it escapes any HTML an author types and refuses ``javascript:``
links, and nh3 keeps only an allow-list of tags, attributes and URL schemes whatever the
renderer lets through (a future plugin, a parser bug).
"""

from __future__ import annotations

import html

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "ul", "ol", "li", "blockquote", "pre", "code", "a",
    "table", "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "td": {"style"}, "th": {"style"}}
_STYLE_PROPERTIES = {"text-align"}  # markdown-it's table column alignment

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def _clean(rendered: str, *, tags: set[str]) -> str:
    return nh3.clean(
        rendered,
        tags=tags,
        attributes=ALLOWED_ATTRIBUTES if tags else {},
        filter_style_properties=_STYLE_PROPERTIES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(body: str) -> SafeString:
    """An article's body as HTML safe to put in a page (no script, handler or foreign scheme)."""
    return mark_safe(_clean(_md.render(body or ""), tags=ALLOWED_TAGS))  # noqa: S308 - nh3 allow-list


def markdown_text(body: str) -> str:
    """The words a reader sees (no Markdown signs, no markup): what is indexed and quoted."""
    text = _clean(_md.render(body or ""), tags=set())
    return " ".join(html.unescape(text).split())
