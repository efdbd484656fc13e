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
