"""SMS delivery backends, chosen by COMPTOIR_SMS_BACKEND (a dotted path)."""

from __future__ import annotations

import logging
from typing import Protocol

logger = logging.getLogger("comptoir.sms")


class SmsBackend(Protocol):
    def send(self, *, recipient: str, body: str, delivery_id: int) -> str:
        """Send one text; return the provider's id. Raise OSError for a temporary failure."""


class DatabaseSmsBackend:
    """Keeps texts in the database (desk › Outgoing messages): the embedded default."""

    def send(self, *, recipient: str, body: str, delivery_id: int) -> str:
        from .models import CapturedSms

        return str(CapturedSms.objects.create(recipient=recipient, body=body, delivery_id=delivery_id).pk)


class ConsoleSmsBackend:
    """Writes texts to the log: for development."""

    def send(self, *, recipient: str, body: str, delivery_id: int) -> str:
        logger.info("SMS to %s: %s", recipient, body)
        return f"console-{delivery_id}"


def get_backend() -> SmsBackend:
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.COMPTOIR_SMS_BACKEND)()
