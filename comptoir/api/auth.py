from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from comptoir.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token belongs to an active agent."""

    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        return api_token_authenticate(key=token)
