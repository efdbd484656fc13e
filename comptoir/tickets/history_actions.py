"""History sentences of issue 10's events: merge, split, snooze and wake, bulk undo.

Kept apart from ``history`` (added to its ``SENTENCES`` by ``register``, called from
``TicketsConfig.ready``) so that each feature writes its own sentences.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .history import SENTENCES, HistoryNames

if TYPE_CHECKING:
    from .models import TicketEvent


def _merged_into(e: TicketEvent, who: str, names: HistoryNames) -> str:
    if e.new:
        return _("%(actor)s merged this ticket into %(reference)s and closed it.") % {
            "actor": who, "reference": e.new,
        }  # fmt: skip
    return _("%(actor)s took this ticket out of %(reference)s.") % {"actor": who, "reference": e.old}


def _merged(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s merged %(reference)s into this ticket; its messages are now here.") % {
        "actor": who, "reference": e.new,
    }  # fmt: skip


def _unmerged(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s undid the merge with %(reference)s; the messages went back.") % {
        "actor": who, "reference": e.new,
    }  # fmt: skip


def _split(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s split a message off into the new ticket %(reference)s.") % {
        "actor": who, "reference": e.new,
    }  # fmt: skip


def _split_from(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s created this ticket from a message of %(reference)s.") % {
        "actor": who, "reference": e.new,
    }  # fmt: skip


def _when(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _snoozed(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s snoozed the ticket until %(when)s.") % {"actor": who, "when": _when(e.new)}


def _woke(e: TicketEvent, who: str, names: HistoryNames) -> str:
    if e.new == "customer":
        return str(_("The ticket woke up early: the customer wrote."))
    if e.new == "due":
        return str(_("The ticket woke up: its snooze time came."))
    return _("%(actor)s woke the ticket up.") % {"actor": who}


def _undone(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s undid a bulk change on this ticket.") % {"actor": who}


def register() -> None:
    """Add these sentences to the history's registry (idempotent)."""
    SENTENCES.update(
        {
            "merged_into": _merged_into,
            "merged": _merged,
            "unmerged": _unmerged,
            "split": _split,
            "split_from": _split_from,
            "snoozed": _snoozed,
            "woke": _woke,
            "undone": _undone,
        }
    )
