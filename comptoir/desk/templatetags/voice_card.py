"""Issue 12 on a desk ticket page: ``{% ticket_voice_flags ticket %}`` (the "Unhappy" and "High
effort" badges, with the cues as the reason) and ``{% ticket_voice_card ticket %}`` (the effort
score and its parts). One query for both (``voice.selectors.ticket_voice``, kept on the ticket)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from comptoir.tickets.models import Ticket
from comptoir.voice.selectors import VoiceView, ticket_voice
from comptoir.voice.services import cue_label

register = template.Library()


def _voice(ticket: Ticket) -> VoiceView:
    cached = getattr(ticket, "_voice_view", None)
    if cached is None:
        cached = ticket_voice(ticket=ticket)
        ticket._voice_view = cached  # type: ignore[attr-defined]
    return cached


def part_labels() -> dict[str, str]:
    return {
        "contacts": _("Customer contacts"),
        "channels": _("Channels used"),
        "transfers": _("Transfers between teams"),
        "escalations": _("Escalations"),
        "reopenings": _("Reopenings"),
        "repeats": _("Questions asked again"),
        "waiting_hours": _("Hours waiting on us"),
    }


@register.inclusion_tag("desk/_voice_flags.html")
def ticket_voice_flags(ticket: Ticket) -> dict[str, Any]:
    voice = _voice(ticket)
    return {"voice": voice, "cues": [cue_label(c) for c in voice.unhappy_cues]}


@register.inclusion_tag("desk/_voice_card.html")
def ticket_voice_card(ticket: Ticket) -> dict[str, Any]:
    voice = _voice(ticket)
    effort = voice.as_dict()
    points = {"waiting_hours": effort["points"]["waiting"], **effort["points"]}
    rows = [(label, effort["parts"][name], points.get(name, 0)) for name, label in part_labels().items()]
    return {"voice": voice, "effort": effort, "rows": rows}


@register.simple_tag
def voice_cues(cues: list[str]) -> str:
    """A list's badge title: the cues in the reader's language."""
    return ", ".join(cue_label(c) for c in cues)
