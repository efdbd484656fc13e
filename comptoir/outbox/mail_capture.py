"""Email backend for the embedded default: store each message instead of sending it."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class CaptureBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        from .models import CapturedEmail

        count = 0
        for message in email_messages:
            mime = message.message()
            CapturedEmail.objects.create(
                message_id=mime.get("Message-ID", ""),
                recipients=", ".join(message.recipients()),
                # The subject as written, not its RFC 2047 encoding (=?utf-8?q?...).
                subject=" ".join(str(message.subject).split())[:300],
                raw=mime.as_string(),
            )
            count += 1
        return count
