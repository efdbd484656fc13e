"""Shared pieces of the email tests: the real IMAP server and the built-in SMTP receiver (the SMTP
inbox for outgoing mail is in tests/conftest.py)."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from comptoir.channels.email.smtp_server import ComptoirHandler
from tests.support import free_port

from .dovecot import dovecot  # noqa: F401 - a fixture

__all__ = ["dovecot", "smtpd"]


@pytest.fixture
def smtpd(settings):  # type: ignore[no-untyped-def]
    """The built-in receiver (ComptoirHandler) on a real socket, as `comptoir smtpd` runs it."""
    controller = Controller(
        ComptoirHandler(), hostname="127.0.0.1", port=free_port(),
        data_size_limit=settings.COMPTOIR_MAX_EMAIL_BYTES, decode_data=False,
    )  # fmt: skip
    controller.start()
    yield controller
    controller.stop()
