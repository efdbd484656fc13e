"""The customer-effort score of a ticket: what the request cost the customer, from what happened.

Kept incrementally: each ticket change adds to the parts it concerns (``effort_on_change``, in
the change's transaction), each inbound customer message adds a contact, its channel and maybe
a repeated question (``voice.services.message_score``, in the worker), and the score and flag
are recomputed from the parts at each update. Nothing here reads the ticket's whole history.

The formula (points; ``COMPTOIR_EFFORT_HIGH``, 6 by default, flags the ticket ``high_effort``):

- contacts: 1 per customer message after the first;
- channels: 2 per channel used beyond the first (email then phone: 2);
- transfers: 2 per move to another team by a person, escalations apart;
- escalations: 2 per escalation (to level 2 or to a supervisor);
- reopenings: 3 per reopening (resolved or closed, then open again);
- repeats: 3 per message asking again what an earlier one asked ("third time", same words);
- waiting: 1 per full day the ticket waited on the organisation (open, not waiting on the
  customer), at most 10; counted up to the ticket's last change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from comptoir.tickets.changes import Change
from comptoir.tickets.models import Ticket, TicketEvent

from .models import TicketVoice

WEIGHTS = {"contacts": 1, "channels": 2, "transfers": 2, "escalations": 2, "reopenings": 3, "repeats": 3}
WAITING_DAY_POINTS, WAITING_MAX_POINTS = 1, 10
# Statuses in which the organisation owes the customer something.
OWED = {Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.WAITING_INTERNAL}
CLOSED = {Ticket.Status.RESOLVED, Ticket.Status.CLOSED}


@dataclass(frozen=True)
class Effort:
    score: int
    parts: dict[str, int]  # what happened: counts, and waiting_hours
    points: dict[str, int]  # what each part adds to the score

    @property
    def high(self) -> bool:
        return self.score >= settings.COMPTOIR_EFFORT_HIGH


def waiting_seconds(voice: TicketVoice, *, now: datetime | None = None) -> int:
    current = 0
    if voice.waiting_since is not None:
        current = max(0, int(((now or timezone.now()) - voice.waiting_since).total_seconds()))
    return voice.waiting_seconds + current


def effort_score(voice: TicketVoice, *, now: datetime | None = None) -> Effort:
    """The score and its parts from a ticket's counters (waiting counted up to ``now``)."""
    waited = waiting_seconds(voice, now=now)
    parts = {
        "contacts": voice.contacts,
        "channels": len(voice.channels),
        "transfers": voice.transfers,
        "escalations": voice.escalations,
        "reopenings": voice.reopenings,
        "repeats": voice.repeats,
        "waiting_hours": waited // 3600,
    }
    points = {
        "contacts": max(0, voice.contacts - 1) * WEIGHTS["contacts"],
        "channels": max(0, len(voice.channels) - 1) * WEIGHTS["channels"],
        **{
            name: parts[name] * WEIGHTS[name]
            for name in ("transfers", "escalations", "reopenings", "repeats")
        },
        "waiting": min(WAITING_MAX_POINTS, (waited // 86400) * WAITING_DAY_POINTS),
    }
    return Effort(score=sum(points.values()), parts=parts, points=points)


def voice_locked(ticket_id: int, *, status_before: str | None = None) -> TicketVoice:
    """The ticket's row, locked, created on first need: waiting on us since the ticket opened if
    its status (before the change being recorded, when there is one) says we owe an answer."""
    voice = TicketVoice.objects.select_for_update().filter(ticket_id=ticket_id).first()
    if voice is not None:
        return voice
    ticket = Ticket.objects.only("created_at", "status").get(pk=ticket_id)
    since = ticket.created_at if (status_before or ticket.status) in OWED else None
    voice, _created = TicketVoice.objects.get_or_create(
        ticket_id=ticket_id, defaults={"waiting_since": since}
    )
    return voice


def voice_save(voice: TicketVoice, *, fields: list[str], now: datetime | None = None) -> TicketVoice:
    effort = effort_score(voice, now=now)
    voice.effort, voice.high_effort = min(effort.score, 32767), effort.high
    voice.save(update_fields=[*fields, "effort", "high_effort", "updated_at"])
    return voice


def effort_on_change(change: Change) -> None:
    """Status (reopenings, waiting), team (transfers) and escalations, in the change's transaction."""
    fields: list[str] = []
    kinds = change.kinds
    if not kinds & {"status", "team", TicketEvent.Kind.ESCALATION}:
        return
    before = change.values["status"][0] if "status" in change.values else None
    voice = voice_locked(change.ticket_id, status_before=before)
    now = timezone.now()
    if "status" in change.values:
        old, new = change.values["status"]
        if old in CLOSED and new not in CLOSED:
            voice.reopenings += 1
            fields.append("reopenings")
        if old in OWED and new not in OWED and voice.waiting_since is not None:
            voice.waiting_seconds = waiting_seconds(voice, now=now)
            voice.waiting_since = None
            fields += ["waiting_seconds", "waiting_since"]
        elif new in OWED and voice.waiting_since is None:
            voice.waiting_since = now
            fields.append("waiting_since")
    # A move by a person, not the automatic triage of a new ticket, nor the move an escalation
    # or de-escalation makes with the level (escalations are counted on their own).
    if "team" in change.values and change.actor_id is not None and "level" not in kinds:
        old_team, _new_team = change.values["team"]
        if old_team is not None:
            voice.transfers += 1
            fields.append("transfers")
    if TicketEvent.Kind.ESCALATION in kinds:
        voice.escalations += 1
        fields.append("escalations")
    voice_save(voice, fields=fields, now=now)
