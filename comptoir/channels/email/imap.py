"""IMAP poller: fetch, keep, then flag. IDLE where the server offers it, polling otherwise.

Order matters: the raw message is committed before it is flagged \\Seen, so a crash in between
only means the next run fetches it again, and the raw-bytes key makes that a no-op.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient

from .ingest import email_receive

logger = logging.getLogger("comptoir.imap")


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str
    use_ssl: bool
    starttls: bool

    @classmethod
    def from_url(cls, url: str) -> ImapConfig:
        """``imap://user:pass@host:143/INBOX``, ``imap+tls://`` (STARTTLS) or ``imaps://``."""
        parts = urlsplit(url)
        if parts.scheme not in {"imap", "imaps", "imap+tls"}:
            raise ValueError("COMPTOIR_IMAP_URL must start with imap://, imap+tls:// or imaps://")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (993 if parts.scheme == "imaps" else 143),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            use_ssl=parts.scheme == "imaps",
            starttls=parts.scheme == "imap+tls",
        )


def _connect(config: ImapConfig) -> IMAPClient:
    client = IMAPClient(config.host, port=config.port, ssl=config.use_ssl, timeout=60)
    if config.starttls:
        client.starttls(ssl.create_default_context())
    client.login(config.user, config.password)
    client.select_folder(config.folder)
    return client


def fetch_once(client: IMAPClient) -> int:
    """Keep every unseen message, then mark it seen. Returns how many were fetched."""
    uids = client.search(["UNSEEN"])
    for uid in uids:
        data = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
        raw = data.get(b"BODY[]")
        if raw is None:  # expunged meanwhile by another client: nothing to keep
            continue
        email_receive(raw=bytes(raw), source="imap")
        client.add_flags([uid], [b"\\Seen"])
    return len(uids)


def run(config: ImapConfig, *, once: bool = False, idle_timeout: int = 300, poll_every: int = 60) -> int:
    """Fetch until stopped (or once). Uses IDLE when the server supports it."""
    import time

    total = 0
    client = _connect(config)
    try:
        total += fetch_once(client)
        if once:
            return total
        idle = b"IDLE" in client.capabilities()
        while True:
            if idle:
                client.idle()
                client.idle_check(timeout=idle_timeout)
                client.idle_done()
            else:
                time.sleep(poll_every)
            total += fetch_once(client)
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing to keep
            logger.debug("IMAP logout failed", exc_info=True)
