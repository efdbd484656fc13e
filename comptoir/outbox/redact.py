"""Masking of the secrets that outgoing messages carry, for the staff who read the outbox.

A tracking or chat link, a reply address, a password-reset link or a one-time code in a message is
a key to a customer's conversation: whoever reads it can post as the customer. The outbox shows
enough of each to recognise it (``/track/ab12…/``) and never enough to use it.
"""

from __future__ import annotations

import re

KEEP = 4  # characters left visible at the start of a masked secret
ELLIPSIS = "…"

# Path segments after these prefixes are bearer secrets (tracking, chat, submission, reset links).
_LINK = re.compile(
    r"(?P<prefix>/(?:track|chat|submitted|reset|password-reset|login/code|verify|continue)/)"
    r"(?P<secret>[^/\s?#<>\"']+)"
)
# Django's reset link: /reset/<uidb64>/<token>/ (the uid was masked by _LINK, the token is next).
_RESET_TOKEN = re.compile(r"(?P<prefix>/reset/[^/\s]+/)(?P<secret>[0-9a-z]+-[0-9a-f]+)")
# support+t<id>-<mac>@domain: the MAC makes a reply join the ticket as its customer.
_REPLY_ADDRESS = re.compile(r"(?P<prefix>\+t\d+-)(?P<secret>[0-9a-fA-F]+)(?=@)")
# "code: 123456", "Votre code est 48 21 07", "code de vérification : 482107".
_CODE = re.compile(
    r"(?P<prefix>\b(?:code|OTP|PIN|NIP)\b[^0-9\n]{0,40}?)(?P<secret>\d(?:[ -]?\d){3,9})(?!\d)",
    re.IGNORECASE,
)
# Anything else that looks like a random token: 20+ URL-safe characters mixing letters and digits
# (API tokens, MACs, Message-IDs, UUIDs, tokens under paths this module does not know yet).
_TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}")


def _cut(secret: str) -> str:
    return secret[:KEEP] + ELLIPSIS if len(secret) > KEEP else ELLIPSIS


def mask_secrets(text: str) -> str:
    """The text with every bearer secret cut to its first characters followed by ``…``."""
    if not text:
        return text
    text = _LINK.sub(lambda m: m["prefix"] + _cut(m["secret"]), text)
    text = _RESET_TOKEN.sub(lambda m: m["prefix"] + _cut(m["secret"]), text)
    text = _REPLY_ADDRESS.sub(lambda m: m["prefix"] + _cut(m["secret"]), text)
    text = _CODE.sub(lambda m: m["prefix"] + ELLIPSIS * 3, text)
    return _TOKEN.sub(lambda m: _cut(m[0]), text)
