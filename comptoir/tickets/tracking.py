"""Tracking tokens: the ticket's random UUID plus an HMAC of it, so nothing secret is stored.

A token is ``<uuid hex><mac>``: 122 random bits to find the ticket and 128 bits of MAC checked in
constant time. Rotating COMPTOIR_SECRET_KEY invalidates every link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from django.conf import settings


def _mac(uid: uuid.UUID) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), b"track:" + uid.bytes, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(uid: uuid.UUID) -> str:
    return uid.hex + _mac(uid)


def parse_token(token: str) -> uuid.UUID | None:
    """The ticket UUID if the token is authentic, else None (same answer for every failure)."""
    if not isinstance(token, str) or len(token) != 32 + 22:
        return None
    try:
        uid = uuid.UUID(hex=token[:32])
    except ValueError:
        return None
    if not hmac.compare_digest(_mac(uid), token[32:]):
        return None
    return uid


def tracking_url(uid: uuid.UUID) -> str:
    from django.urls import reverse

    return settings.BASE_URL + reverse("portal:track", kwargs={"token": make_token(uid)})


def my_requests_url() -> str:
    """Where a customer signs in to see all their requests (the portal's "My requests")."""
    from django.urls import reverse

    return settings.BASE_URL.rstrip("/") + reverse("portal:my_requests")


def _reply_mac(ticket_id: int) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"reply:{ticket_id}".encode(), hashlib.sha256).hexdigest()[
        :20
    ]


def reply_address(ticket_id: int) -> str:
    """``support+t<id>-<mac>@domain``: replies route back to the ticket, and cannot be forged.

    Lower-case hex only, since some mail servers fold the local part's case.
    """
    local, _sep, domain = settings.COMPTOIR_SUPPORT_ADDRESS.partition("@")
    return f"{local}+t{ticket_id}-{_reply_mac(ticket_id)}@{domain}"


def parse_reply_address(addresses: list[str]) -> int | None:
    """The ticket id named by an authentic reply address among ``addresses``, else None."""
    local_base, _sep, domain = settings.COMPTOIR_SUPPORT_ADDRESS.lower().partition("@")
    for address in addresses:
        local, _at, dom = address.lower().partition("@")
        if dom != domain or not local.startswith(local_base + "+t"):
            continue
        ident, _dash, mac = local[len(local_base) + 2 :].partition("-")
        if ident.isdigit() and hmac.compare_digest(_reply_mac(int(ident)), mac):
            return int(ident)
    return None
