"""Reading what the voice app keeps: a ticket's flags and effort, the high-effort list, whom
an unhappy customer's alert goes to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from comptoir.accounts.models import User
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.selectors import ticket_visible_to

from .effort import Effort, effort_score
from .models import MessageSentiment, TicketVoice


@dataclass(frozen=True)
class VoiceView:
    """What the desk and the API show of a ticket: flags, the cues behind ``unhappy``, effort."""

    flags: list[str] = field(default_factory=list)
    unhappy_cues: list[str] = field(default_factory=list)
    effort: Effort | None = None

    def as_dict(self) -> dict[str, Any]:
        effort = self.effort or effort_score(TicketVoice())
        return {"score": effort.score, "high": "high_effort" in self.flags, "parts": effort.parts,
                "points": effort.points}  # fmt: skip


def ticket_voice(*, ticket: Ticket) -> VoiceView:
    """A ticket's flags and effort (one query). Staff only: callers are the desk and the API."""
    voice = TicketVoice.objects.filter(ticket_id=ticket.pk).first()
    if voice is None:
        return VoiceView()
    # Waiting is read up to now while the ticket is open; the stored flag keeps the last change's.
    return VoiceView(flags=voice.flags, unhappy_cues=list(voice.unhappy_cues), effort=effort_score(voice))


def message_sentiments(*, messages: list[Message]) -> dict[int, MessageSentiment]:
    """The scores of a page's messages, by message id (one query)."""
    ids = [m.pk for m in messages]
    return {row.message_id: row for row in MessageSentiment.objects.filter(message_id__in=ids)} if ids else {}


def ticket_flags(*, ticket_ids: list[int]) -> dict[int, TicketVoice]:
    """Flagged tickets among a list's rows (one query on the primary key), for the badges."""
    if not ticket_ids:
        return {}
    rows = TicketVoice.objects.filter(ticket_id__in=ticket_ids).only(
        "ticket_id", "unhappy", "unhappy_cues", "high_effort", "effort"
    )
    return {row.ticket_id: row for row in rows if row.unhappy or row.high_effort}


def voice_flags_attach(*, tickets: list[Ticket]) -> list[Ticket]:
    """Give each ticket of a list page its flagged ``voice_row`` (None when not flagged), in one
    query on the primary key, for the list's badges."""
    flagged = ticket_flags(ticket_ids=[t.pk for t in tickets])
    for t in tickets:
        t.voice_row = flagged.get(t.pk)  # type: ignore[attr-defined]
    return tickets


def high_effort_list(
    *, actor: User, before: int | None = None, open_only: bool = True, limit: int = 50
) -> list[Ticket]:
    """High-effort tickets the actor may see, newest first, a keyset page (``before``: the last
    ticket id of the previous page). Walks the partial index of flagged rows (``-ticket`` where
    ``high_effort``), joining each row's ticket: its cost follows the page, not the table."""
    rows = TicketVoice.objects.filter(high_effort=True)
    if before is not None:
        rows = rows.filter(ticket_id__lt=before)
    if open_only:
        rows = rows.filter(ticket__is_open=True)
    page = list(
        rows.select_related("ticket__customer", "ticket__team", "ticket__assignee").order_by("-ticket_id")[
            :limit
        ]
    )
    visible = set(
        ticket_visible_to(actor=actor).filter(pk__in=[r.ticket_id for r in page]).values_list("pk", flat=True)
    )
    return [r.ticket for r in page if r.ticket_id in visible]


def alert_recipients(*, ticket: Ticket) -> list[User]:
    """The assignee and the supervisors of the ticket's team; every supervisor when that makes
    nobody (an alert never goes to no one)."""
    active = User.objects.filter(is_active=True)
    people: dict[int, User] = {}
    if ticket.assignee_id is not None and ticket.assignee is not None and ticket.assignee.is_active:
        people[ticket.assignee.pk] = ticket.assignee
    if ticket.team_id is not None:
        people.update({u.pk: u for u in active.filter(is_supervisor=True, teams=ticket.team_id)})
    if not people:
        people = {u.pk: u for u in active.filter(is_supervisor=True)}
    return list(people.values())
