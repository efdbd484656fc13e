"""``{{name}}`` placeholders of macros, substituted from a whitelist as plain text.

Macro texts are written by agents and hold customers' data once filled: they are never given to
a template engine (no tags, filters, attribute access), and a value is inserted once, never read
again for placeholders, so a customer named ``{{agent_name}}`` stays that text. The result is
plain text: whoever shows it escapes it (the reply box, the email's text part).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import User
from comptoir.tickets.models import Ticket
from comptoir.tickets.tracking import tracking_url

PATTERN = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    help: Promise
    value: Callable[[Ticket, User], str]


PLACEHOLDERS: dict[str, Placeholder] = {
    p.name: p
    for p in (
        Placeholder("customer_name", _("the customer's name"), lambda t, a: t.customer.name or ""),
        Placeholder("reference", _("the ticket's reference"), lambda t, a: t.reference),
        Placeholder("subject", _("the ticket's subject"), lambda t, a: t.subject),
        Placeholder("agent_name", _("your name"), lambda t, a: a.name or a.email),
        Placeholder(
            "tracking_link", _("the customer's tracking link"), lambda t, a: tracking_url(t.tracking_uid)
        ),
    )
}


def braced(names: Iterable[str]) -> str:
    """Placeholder names as an author writes them: ``{{a}}, {{b}}``."""
    return ", ".join("{{" + n + "}}" for n in names)


def unknown_placeholders(text: str) -> list[str]:
    """Names in ``text`` that are not placeholders (a typo the author should hear about)."""
    return sorted({m.group(1) for m in PATTERN.finditer(text or "") if m.group(1) not in PLACEHOLDERS})


def placeholders_render(text: str, *, ticket: Ticket, actor: User) -> str:
    """``text`` with each known placeholder replaced by its value; unknown ones are left as written."""

    def value(match: re.Match[str]) -> str:
        found = PLACEHOLDERS.get(match.group(1))
        return match.group(0) if found is None else found.value(ticket, actor)

    return PATTERN.sub(value, text or "")
