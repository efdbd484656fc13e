"""Shared pieces of the channel tests: a signed Twilio-style SMS webhook call."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client

from comptoir.channels.sms import twilio_signature

SMS_URL = "http://testserver/api/v1/inbound/sms"  # what request.build_absolute_uri() gives the test client
SMS_TOKEN = "twilio-test-token-0123456789"
PHONE = "+15145550199"
MISSING = object()


@pytest.fixture
def sms_token(settings) -> str:
    settings.COMPTOIR_SMS_AUTH_TOKEN = SMS_TOKEN
    return SMS_TOKEN


@pytest.fixture
def send_sms(sms_token, django_capture_on_commit_callbacks) -> Callable[..., object]:
    """POST one inbound SMS as the gateway would (form-encoded, signed); after-commit sends run."""
    counter = iter(range(1, 100_000))

    def send(body: str, *, sender: str = PHONE, signature=None, sid: str | None = None, **extra: str):
        params = {
            "From": sender,
            "To": "+15145550000",
            "Body": body,
            "MessageSid": sid or f"SM{next(counter):032d}",
            **extra,
        }
        headers = {}
        if signature is None:
            headers["X-Twilio-Signature"] = twilio_signature(SMS_URL, params, sms_token)
        elif signature is not MISSING:
            headers["X-Twilio-Signature"] = signature
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(
                "/api/v1/inbound/sms",
                urlencode(params),
                content_type="application/x-www-form-urlencoded",
                headers=headers,
            )

    return send
