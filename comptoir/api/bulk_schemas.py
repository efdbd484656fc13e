"""Schemas of the bulk, merge, split and snooze routes (issue 10), beside ``schemas``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from .schemas import Strict, Text, TicketStatus


class BulkIn(Strict):
    tickets: list[Text] = Field(min_length=1, max_length=100, description="References, at most 100.")
    action: Literal[
        "assign", "team", "status", "priority", "category", "close", "reply", "note", "accept_triage"
    ] = Field(description="accept_triage: each ticket takes the category of its triage guess (and its team).")
    assignee: Text | None = Field(default=None, description="assign: an agent's email; null unassigns.")
    team: Text | None = Field(default=None, description="team: its name.")
    status: TicketStatus | None = None
    priority: Literal["P1", "P2", "P3", "P4"] | None = None
    category: Text | None = Field(default=None, description="category: its slug.")
    body: Text | None = Field(
        default=None, max_length=100_000,
        description="reply or note: the same text for each ticket; the macros' placeholders "
        "({{customer_name}}, {{reference}}, {{subject}}, {{agent_name}}, {{tracking_link}}) are replaced.",
    )  # fmt: skip


class RefusedOut(Schema):
    reference: str
    reason: str


class BulkOut(Schema):
    """Each ticket once: changed, unchanged (already so) or refused, with the reason."""

    changed: list[str]
    unchanged: list[str]
    refused: list[RefusedOut]
    undo_id: int | None = Field(
        description="POST /tickets/bulk/{undo_id}/undo puts it back, until undo_until."
    )
    undo_until: datetime | None


class MergeIn(Strict):
    into: Text = Field(min_length=1, max_length=20, description="The reference of the ticket that stays.")


class SnoozeIn(Strict):
    until: datetime | None = Field(description="When the ticket comes back; null wakes it now.")
