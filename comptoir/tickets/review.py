"""Why a ticket waits for a person's review, stored as reason codes and read in the reader's language.

``Ticket.review_reason`` and ``Message.hold_reason`` used to hold a sentence translated in the
language active when it was written (a French desk read English flags and the reverse; issue 10,
item 11). They now hold a compact, language-neutral form: a JSON list of ``[code]`` or
``[code, param]`` pairs, e.g. ``[["escalated","Client mécontent"],["sla_missed","resolution"]]``,
at most ``MAX`` characters (the column). The one free parameter is data, never translated: the
reason an agent typed, a reference, an authentication verdict, SLA target codes.
``review_reason_text`` renders it in the active language. A value written by an older version
(plain text, not such a list) is shown as it is.

Empty still means "not flagged" (``exclude(review_reason="")`` and the partial index keep their
meaning), and the same reasons always give the same string, so ``message_review`` can still
compare a ticket's flag with its held message's reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX = 200
SEP = " · "

# Reason codes (stored: never rename one; add new ones).
ESCALATED = "escalated"  # param: the reason the agent typed
SLA_MISSED = "sla_missed"  # param: target codes, comma-separated (comptoir.sla.models.Target)
SENDER_AUTH_FAILED = "sender_auth_failed"  # param: the verdict (e.g. "dmarc=fail")
SENDER_UNPROVEN = "sender_unproven"  # param: the verdict
STRANGER_REPLY = "stranger_reply"  # param: the reference of the ticket replied to
DMARC_FAILED = "dmarc_failed"
SAME_CONTACT = "same_contact"
TEXT = "text"  # param: a text shown as it is (a flag stored by an older version, merged with new ones)


def _sla_targets(param: str) -> str:
    from comptoir.sla.models import Target  # read time only: no import cycle with the models

    labels = dict(Target.choices)
    return ", ".join(str(labels.get(code, code)) for code in param.split(",") if code)


# code -> (template, name of its one parameter or "", how the parameter is shown)
_REASONS: dict[str, tuple[StrOrPromise, str, Callable[[str], str] | None]] = {
    ESCALATED: (gettext_lazy("Escalated to a supervisor: %(reason)s"), "reason", None),
    SLA_MISSED: (gettext_lazy("SLA target missed: %(targets)s"), "targets", _sla_targets),
    SENDER_AUTH_FAILED: (
        gettext_lazy("Held for review: the sender's address failed authentication (%(detail)s)."),
        "detail",
        None,
    ),
    SENDER_UNPROVEN: (
        gettext_lazy("Held for review: nothing proves who sent this message (%(detail)s)."),
        "detail",
        None,
    ),
    STRANGER_REPLY: (
        gettext_lazy("Reply to %(reference)s from someone who is not part of it."),
        "reference",
        None,
    ),
    DMARC_FAILED: (gettext_lazy("The sender's address failed authentication (DMARC)."), "", None),
    SAME_CONTACT: (
        gettext_lazy("Same email or phone as an open request; nothing proves it is the same person."),
        "",
        None,
    ),
}

Item = tuple[str, str]


def _encode(items: list[Item]) -> str:
    return json.dumps([[code, param] if param else [code] for code, param in items], ensure_ascii=False,
                      separators=(",", ":"))  # fmt: skip


def _decode(stored: str) -> list[Item] | None:
    """The reasons of a stored flag; None for a plain text (written by an older version)."""
    if not stored.startswith("[["):
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(data, list) or not all(
        isinstance(item, list) and 1 <= len(item) <= 2 and all(isinstance(part, str) for part in item)
        for item in data
    ):
        return None
    return [(item[0], item[1] if len(item) == 2 else "") for item in data]


def _items(stored: str) -> list[Item]:
    stored = stored.strip()
    if not stored:
        return []
    decoded = _decode(stored)
    return decoded if decoded is not None else [(TEXT, " ".join(stored.split()))]


def _fitted(items: list[Item], item: Item) -> list[Item] | None:
    """``items`` with ``item`` appended, its parameter cut with "…" to fit ``MAX``; None if it cannot."""
    code, param = item
    if len(_encode([*items, item])) <= MAX:
        return [*items, item]
    if not param:
        return None
    low, high = 0, len(param) - 1  # the longest cut that fits, by bisection (escapes vary in length)
    while low < high:
        mid = (low + high + 1) // 2
        if len(_encode([*items, (code, param[:mid] + "…")])) <= MAX:
            low = mid
        else:
            high = mid - 1
    if low == 0:
        return None
    return [*items, (code, param[:low] + "…")]


def review_reason(code: str, param: str = "") -> str:
    """One reason in its stored form (the parameter's spaces collapsed, cut to fit the column)."""
    if code not in _REASONS and code != TEXT:
        raise ValueError(f"unknown review reason {code!r}")
    return review_reason_added(current="", reason=_encode([(code, " ".join(param.split()))]))


def review_reason_added(*, current: str, reason: str) -> str:
    """A flag with one more reason: the existing reasons are kept whole and the new one appended,
    its parameter cut with "…" to fit the column (or left out when the flag is full: its full
    text is in the history). An existing warning (e.g. intake's unproven identity) is never
    replaced; a reason already there is not repeated. Either value may be an older plain text."""
    items = _items(current)
    for item in _items(reason):
        if item in items:
            continue
        grown = _fitted(items, item)
        if grown is None:
            break
        items = grown
    return _encode(items) if items else ""


def _render(code: str, param: str) -> str:
    known = _REASONS.get(code)
    if known is None:  # TEXT, or a code this version does not know: its parameter, as it is
        return param or code
    template, name, shown = known
    if not name:
        return str(template)
    return str(template) % {name: shown(param) if shown else param}


def review_reason_text(stored: str) -> str:
    """The flag as a sentence in the active language; a plain text from an older version as is."""
    if not stored:
        return ""
    decoded = _decode(stored.strip())
    if decoded is None:
        return stored
    return SEP.join(_render(code, param) for code, param in decoded)


def review_reason_codes(stored: str) -> list[str]:
    """The codes of a stored flag (``text`` for a plain text): for programs and tests."""
    return [code for code, _param in _items(stored)]


__all__ = ["MAX", "SEP", "review_reason", "review_reason_added", "review_reason_codes", "review_reason_text"]
