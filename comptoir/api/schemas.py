from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from comptoir.common.ids import ID_MAX

# Every row id the API takes (path, query or body): a positive 64-bit integer, the range of the
# database's keys. Anything else is a 422 before it reaches a query (an id past 2**63 used to
# overflow the database driver: a 500).
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
# Every text the API takes: no NUL character, which nobody types and PostgreSQL cannot store (it
# used to reach the database and fail there: a 500 on PostgreSQL only).
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


class Strict(Schema):
    # Unknown fields are refused (422), never silently applied: no mass assignment.
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    """Every error of the API, whatever its status: a message for people, details for programs."""

    detail: str
    field: str | None = Field(default=None, description="The input field the error is about.")
    errors: list[ValidationErrorOut] | None = Field(
        default=None, description="For a 422 on invalid input: each problem and where it is."
    )


class ValidationErrorOut(Schema):
    loc: list[str]
    msg: str


class CustomerIn(Strict):
    name: Text | None = Field(default=None, max_length=200)
    email: Text | None = Field(default=None, max_length=254)
    phone: Text | None = Field(default=None, max_length=40)
    account: Text | None = Field(default=None, max_length=64)
    language: Literal["en", "fr"] | None = None


class TicketIn(Strict):
    subject: Text = Field(min_length=1, max_length=255)
    body: Text = Field(min_length=1, max_length=100_000)
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
    tier: str = Field(description="standard or key (a key account)")


class SlaOut(Schema):
    policy: str | None
    policy_reason: str | None = Field(description="the criteria by which this policy was chosen")
    paused: bool = Field(description="the clocks are stopped while the ticket waits on the customer")
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
    analysing: bool = Field(
        description="Intake answered; the worker's analysis (classifier, assignment) is not done yet."
    )
    review_reason: str = Field(
        default="",
        description="Why the ticket waits for a person's review, in the request's language "
        "(Accept-Language); empty when it is not flagged.",
    )
    version: int
    created_at: datetime
    updated_at: datetime
    sla: SlaOut


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class SentimentOut(Schema):
    """Issue 12: the tone of a customer's message, as the worker scored it."""

    label: Literal["negative", "neutral", "positive"]
    score: float = Field(description="From -1 (very negative) to 1 (very positive).")


class MessageOut(Schema):
    id: int
    visibility: Literal["public", "internal", "held"] = Field(
        description="held: a customer's email whose sender nothing proved, not shown to the customer"
    )
    kind: str
    author: str | None
    channel: str
    body: str
    hold_reason: str = Field(
        default="", description="For a held message: why, in the request's language (Accept-Language)."
    )
    configuration_items: list[str]
    attachments: list[AttachmentOut]
    awaiting_approval_by: str | None = None
    sentiment: SentimentOut | None = Field(
        default=None,
        description="A customer's message once the worker scored it; null before, and for agents' messages.",
    )
    created_at: datetime


class TicketActionsOut(Schema):
    """What the caller may do on the ticket now (``tickets.permissions``): the desk shows the same."""

    view: bool
    reply: bool
    note: bool
    change: bool = Field(description="status, priority, team, category")
    assign: bool = Field(description="choose who holds the ticket")
    pick: bool
    skip: bool
    escalate: bool = Field(description="to level 2")
    escalate_to_supervisor: bool
    deescalate: bool
    approve_any_reply: bool = Field(
        description="approve any held reply; the senior a reply waits for (awaiting_approval_by) may too"
    )
    review_held: bool = Field(description="accept or reject a held email")


class EffortOut(Schema):
    """Issue 12: the customer-effort score and what makes it (``voice.effort``)."""

    score: int
    high: bool = Field(description="At or above COMPTOIR_EFFORT_HIGH: the ticket is flagged high_effort.")
    parts: dict[str, int] = Field(
        description="contacts, channels, transfers, escalations, reopenings, repeats, waiting_hours"
    )
    points: dict[str, int] = Field(description="What each part adds to the score.")


class TicketDetailOut(TicketOut):
    tracking_url: str
    messages: list[MessageOut]
    actions: TicketActionsOut
    effort: EffortOut | None = None
    flags: list[Literal["unhappy", "high_effort"]] = Field(
        default_factory=list, description="unhappy: an angry or distressed message; high_effort: see effort."
    )


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None


TicketStatus = Literal["new", "open", "waiting_customer", "waiting_internal", "resolved", "closed"]


class TicketPatchIn(Strict):
    version: int
    status: TicketStatus | None = None
    priority: Literal["P1", "P2", "P3", "P4"] | None = None
    team: Text | None = None
    assignee: Text | None = None
    category: Text | None = None


class MessageIn(Strict):
    body: Text = Field(min_length=1, max_length=100_000)
    visibility: Literal["public", "internal"]
    configuration_items: list[Text] = Field(default_factory=list, max_length=50)


class EventOut(Schema):
    id: int
    actor: str
    field: str
    old: str
    new: str
    text: str = Field(description="The event as one sentence in the request's language (Accept-Language).")
    created_at: datetime


class IdentityOut(Schema):
    kind: str
    value: str


class CustomerOut(Schema):
    id: int
    name: str
    language: str
    tier: str
    coordinator: str | None = Field(description="email of the key account's coordinator")
    identities: list[IdentityOut]
    tickets: list[TicketOut]


TicketCreatedOut.model_rebuild()
ErrorOut.model_rebuild()

# The errors most routes may answer (documented per route in the OpenAPI file).
ERRORS = dict.fromkeys([400, 401, 403, 404, 409, 413, 422], ErrorOut)


class SkipIn(Strict):
    reason: Text = Field(max_length=200)


class EscalateIn(Strict):
    reason: Text = Field(max_length=200)
    summary: Text = Field(max_length=20_000)
    team: Text | None = None
    to_supervisor: bool = False


class DeescalateIn(Strict):
    reason: Text = Field(max_length=200)
    team: Text | None = None


class TriageItemOut(Schema):
    ticket: TicketOut
    predicted: str
    predicted_name: str = Field(description="The predicted category's name, in the request's language.")
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
