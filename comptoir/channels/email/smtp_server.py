"""The built-in SMTP receiver: every accepted message is stored before we answer 250."""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from .authentication import stamp
from .ingest import email_receive

logger = logging.getLogger("comptoir.smtpd")


def _receive(raw: bytes, peer: tuple | str | None = None, helo: str = "", mail_from: str = "") -> str:
    # We are the receiving server: verify DKIM, SPF and DMARC from what the client told us, and
    # keep the verdict on top of the stored message (channels/email/authentication.py).
    ip = peer[0] if isinstance(peer, tuple) and peer else ""
    raw = stamp(raw, ip=str(ip), helo=helo or "", mail_from=mail_from or "")
    close_old_connections()
    try:
        outcome = email_receive(raw=raw, source="smtp")
    finally:
        close_old_connections()
    return outcome.error


class ComptoirHandler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        allowed = settings.COMPTOIR_SMTPD_RECIPIENTS
        if allowed:
            local, _at, domain = address.lower().partition("@")
            base = local.split("+", 1)[0] + "@" + domain
            if address.lower() not in allowed and base not in allowed:
                return "550 5.1.1 Recipient not accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            # Kept (committed) before we say 250: a crash after this loses nothing.
            await sync_to_async(_receive, thread_sensitive=False)(
                raw, session.peer, session.host_name, envelope.mail_from
            )
        except Exception:
            logger.exception("could not store an inbound message; asking the sender to retry")
            return "451 4.3.0 Temporary failure, please retry"
        return "250 Message accepted"
