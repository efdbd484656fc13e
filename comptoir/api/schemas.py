from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class Strict(Schema):
    # Unknown fields are refused (422), never silently applied: no mass assignment.
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str
    errors: list[dict] | None = None


class CustomerIn(Strict):
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    account: str | None = Field(default=None, max_length=64)
    language: Literal["en", "fr"] | None = None


class TicketIn(Strict):
    subject: str = Field(min_length=1, max_length=255)
    body: str = Field(min_length=1, max_length=100_000)
    channel: Literal["web", "email", "sms", "chat", "phone", "api"] = "api"
    customer: CustomerIn


class TicketCreatedOut(Schema):
    reference: str
    status: str
    priority: str
    team: str | None
    tracking_url: str
    created_at: datetime
    subject: str
    language: str
    customer: CustomerRefOut
    version: int
    sla: SlaOut


class CustomerRefOut(Schema):
    id: int
    name: str


class SlaOut(Schema):
    policy: str | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    warning_at: datetime | None
    breached: bool


class TicketOut(Schema):
    reference: str
    subject: str
    status: str
    priority: str
    category: str | None
    team: str | None
    assignee: str | None
    channel: str
    language: str
    customer: CustomerRefOut
    level: int
    version: int
    created_at: datetime
    updated_at: datetime
    sla: SlaOut


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    visibility: Literal["public", "internal"]
    kind: str
    author: str | None
    channel: str
    body: str
    configuration_items: list[str]
    attachments: list[AttachmentOut]
    awaiting_approval_by: str | None = None
    created_at: datetime


class TicketDetailOut(TicketOut):
    tracking_url: str
    messages: list[MessageOut]


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketPatchIn(Strict):
    version: int
    status: Literal["new", "open", "waiting_customer", "waiting_internal", "resolved", "closed"] | None = None
    priority: Literal["P1", "P2", "P3", "P4"] | None = None
    team: str | None = None
    assignee: str | None = None
    category: str | None = None


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=100_000)
    visibility: Literal["public", "internal"]
    configuration_items: list[str] = Field(default_factory=list, max_length=50)


class EventOut(Schema):
    id: int
    actor: str
    field: str
    old: str
    new: str
    created_at: datetime


class IdentityOut(Schema):
    kind: str
    value: str


class CustomerOut(Schema):
    id: int
    name: str
    language: str
    identities: list[IdentityOut]
    tickets: list[TicketOut]


TicketCreatedOut.model_rebuild()


class SkipIn(Strict):
    reason: str = Field(max_length=200)


class EscalateIn(Strict):
    reason: str = Field(max_length=200)
    summary: str = Field(max_length=20_000)
    team: str | None = None
    to_supervisor: bool = False


class DeescalateIn(Strict):
    reason: str = Field(max_length=200)
    team: str | None = None


class TriageItemOut(Schema):
    ticket: TicketOut
    predicted: str
    confidence: float
    language: str


class AssignmentStatsOut(Schema):
    since: datetime
    picks: int
    next_ticket: int
    skips: int
    reassignments: int
    escalations: int
    resolved: int
    resolved_at_level_1: int
    level_1_resolution_share: float | None
