"""Shared pieces of the email tests: the real IMAP server (the SMTP inbox is in tests/conftest.py)."""

from __future__ import annotations

from .dovecot import dovecot  # noqa: F401 - a fixture

__all__ = ["dovecot"]
