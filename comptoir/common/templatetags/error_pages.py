"""Helpers of the error pages (``templates/error_base.html``)."""

from __future__ import annotations

from django import template

register = template.Library()

# Paths that carry a secret (a tracking token, a chat token, a sign-in link): their error pages
# must read byte for byte the same whatever was asked (a forged token cannot be told from a
# missing one), so they get no per-visitor form such as the language switch.
CAPABILITY_PREFIXES = ("/track/", "/submitted/", "/chat/", "/my/continue/")


@register.filter
def carries_secret(path: str) -> bool:
    """Whether ``path`` is one of the capability links above (``/chat/`` alone is not)."""
    return path.startswith(CAPABILITY_PREFIXES) and path.rstrip("/") != "/chat"
