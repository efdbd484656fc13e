"""Real peers for the tests: a free local port and an SMTP inbox that keeps what went on the wire."""

from __future__ import annotations

import email
import socket
from email import policy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message with its envelope (what really went on the wire)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        raw = envelope.original_content or envelope.content
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), raw))
        self.messages.append(email.message_from_bytes(raw, policy=policy.default))
        return "250 OK"


def at_once(call, n: int = 4) -> list:  # type: ignore[no-untyped-def]
    """Run ``call()`` in ``n`` threads released together; their results, in finishing order.

    Any exception in a thread fails the test (re-raised here). Each thread closes its database
    connection, so PostgreSQL can drop the test database afterwards.
    """
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
