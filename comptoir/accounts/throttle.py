"""Login throttling for every login path, as one authentication backend.

Every form that logs staff in (the desk's, the admin's, any later one) calls Django's
``authenticate(request, ...)``; ``ThrottledModelBackend`` refuses before the password is even
hashed once the client has failed too often, and counts each failure. Only failures count, and
they are counted:

- per (client address, account): ``COMPTOIR_LOGIN_RATE`` failures per period (default 10/m);
- per client address, all accounts together: ``ADDRESS_FACTOR`` times as many (password spraying).

There is deliberately no per-account lock across addresses: anyone could trigger it and keep an
agent out of their own account for as long as they kept trying. An attacker hammering an account
from one address stops that address only; the agent still logs in from theirs.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from comptoir.common.net import client_ip

# Failures allowed per address (all accounts) = this times the per (address, account) count.
ADDRESS_FACTOR = 3
LOGIN_THROTTLED_MESSAGE = _("Too many login attempts. Please wait a minute and try again.")
_FLAG = "comptoir_login_throttled"


def _account(username: str | None) -> str:
    """The account as login matches it (case and surrounding spaces do not count)."""
    return (username or "").strip().lower()


def _rates() -> tuple[str, str]:
    pair = settings.COMPTOIR_LOGIN_RATE
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\S+)\s*", pair)
    if match is None:
        return pair, pair
    return pair, f"{int(match.group(1)) * ADDRESS_FACTOR}/{match.group(2)}"


def _usages(request: HttpRequest, username: str | None, *, increment: bool) -> list[dict[str, Any] | None]:
    pair_rate, address_rate = _rates()
    pair_value = f"{client_ip(request)} {_account(username)}"
    return [
        get_usage(request, group="login-pair", key=lambda _g, _r: pair_value, rate=pair_rate,
                  increment=increment),
        get_usage(request, group="login-address", key=lambda _g, r: client_ip(r), rate=address_rate,
                  increment=increment),
    ]  # fmt: skip


def login_throttled(request: HttpRequest, username: str | None) -> bool:
    """Whether this client has used up its failures for this account (or for all accounts)."""
    usages = [u for u in _usages(request, username, increment=False) if u is not None]
    return any(u["count"] >= u["limit"] for u in usages)


def login_failure_record(request: HttpRequest, username: str | None) -> None:
    _usages(request, username, increment=True)


def login_was_throttled(request: HttpRequest | None) -> bool:
    """Whether the last ``authenticate`` on this request was refused by the throttle (for a 429)."""
    return bool(getattr(request, _FLAG, False))


class ThrottledModelBackend(ModelBackend):
    """The model backend behind the login throttle above."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            # Not an HTTP login (shell, tests' Client.login): nothing to throttle per client.
            return super().authenticate(request, username=username, password=password, **kwargs)
        if username is None:
            from django.contrib.auth import get_user_model

            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if login_throttled(request, username):
            setattr(request, _FLAG, True)
            raise PermissionDenied  # stops authenticate(): no other backend is tried
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(request, username)
        return user
