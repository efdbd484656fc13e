"""Logging filters: an expected refusal is one line in the server's output, not a traceback."""

from __future__ import annotations

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Django logs each 403 (``PermissionDenied``) on ``django.request`` with the exception's
    traceback. A refusal is an expected outcome (an agent's role does not allow an action), so it
    keeps its one line ("Forbidden (Permission denied): /path") and loses the traceback; every
    other record, server errors included, is left as it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
