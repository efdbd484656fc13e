"""The client's address, believing X-Forwarded-For only from configured proxies."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _in_trusted(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    for proxy in settings.COMPTOIR_TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not _in_trusted(remote):
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    # Walk from the nearest hop back; the first address that is not a trusted proxy is the client.
    for hop in reversed([p for p in forwarded if p]):
        if not _in_trusted(hop):
            return hop
    return remote


def ratelimit_key(group: str, request: HttpRequest) -> str:
    """Key function for django-ratelimit: the real client address."""
    return client_ip(request)
