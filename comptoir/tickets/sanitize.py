"""HTML from customers goes through nh3 (Ammonia): a short allow-list, no scripts, no remote images."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote", "pre", "code",
    "a", "table", "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "hr", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}


def sanitize_html(html: str) -> str:
    """Keep safe markup only; links get rel=noopener and only http(s)/mailto schemes survive."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
