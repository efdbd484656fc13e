"""Errors of the SLA engine; messages are translated and safe to show."""

from __future__ import annotations

from comptoir.common.exceptions import InvalidInput


class CalendarNeverOpen(InvalidInput):
    """A business calendar has no opening hours left: no due time can ever be reached."""
