"""Major incidents (issue 13): declare, change, link tickets, suggestions, updates and their
broadcast's progress. Agents only (the API's tokens are agents'); the public status page is the
portal's ``/status/``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from comptoir.incidents.broadcast import broadcast_progress
from comptoir.incidents.models import Incident, IncidentUpdate
from comptoir.incidents.selectors import (
    incident_get,
    incident_links,
    incident_suggested_tickets,
    incident_update_get,
    incident_updates,
)
from comptoir.incidents.services import (
    incident_declare,
    incident_link_tickets,
    incident_publish_update,
    incident_update,
)

from .schemas import ERRORS, Id, Strict, Text

router = Router(tags=["incidents"])

ImpactIn = Literal["minor", "major", "critical"]
OpenStatusIn = Literal["investigating", "identified", "monitoring"]


class IncidentIn(Strict):
    title: Text = Field(min_length=1, max_length=200)
    service: Text | None = Field(default=None, max_length=50, description="slug of the affected service")
    area: Text = Field(default="", max_length=100, description="postal-code prefix or district")
    impact: ImpactIn = "major"
    status: OpenStatusIn = "investigating"
    workaround_fr: Text = Field(default="", max_length=4000)
    workaround_en: Text = Field(default="", max_length=4000)
    next_update_at: datetime | None = None
    ticket: Text | None = Field(
        default=None, max_length=20, description="reference of the ticket it is declared from (linked)"
    )


class IncidentPatch(Strict):
    title: Text | None = Field(default=None, min_length=1, max_length=200)
    service: Text | None = Field(default=None, max_length=50)
    area: Text | None = Field(default=None, max_length=100)
    impact: ImpactIn | None = None
    status: OpenStatusIn | None = None
    workaround_fr: Text | None = Field(default=None, max_length=4000)
    workaround_en: Text | None = Field(default=None, max_length=4000)
    next_update_at: datetime | None = None


class IncidentProgressOut(Schema):
    state: str = Field(description="pending, running or done")
    sent: int
    failed: int
    pending: int = Field(description="queued in the outbox, or not yet queued")
    total: int


class IncidentUpdateOut(Schema):
    id: int
    incident_id: int
    status: str
    resolves: bool
    resolve_tickets: bool
    body_fr: str
    body_en: str
    created_at: datetime
    created_by: str | None
    progress: IncidentProgressOut


class IncidentOut(Schema):
    id: int
    reference: str
    title: str
    service: str | None
    area: str
    impact: str
    status: str
    workaround_fr: str
    workaround_en: str
    next_update_at: datetime | None
    declared_by: str | None
    source_ticket: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    tickets: list[str] = Field(description="references of the linked tickets, newest link first")
    updates: list[IncidentUpdateOut]


class IncidentCreatedOut(Schema):
    id: int
    reference: str


class IncidentLinkIn(Strict):
    references: list[Text] = Field(min_length=1, max_length=200)
    how: Literal["manual", "suggested"] = "manual"


class IncidentLinkOut(Schema):
    linked: list[str]
    already: list[str]
    not_found: list[str]


class IncidentReasonOut(Schema):
    code: str = Field(description="category, service, area, subscriber or text")
    text: str


class IncidentSuggestionOut(Schema):
    reference: str
    subject: str
    created_at: datetime
    status: str
    score: float
    reasons: list[IncidentReasonOut]


class IncidentSuggestionsOut(Schema):
    items: list[IncidentSuggestionOut]


class IncidentSuggestFilter(Schema):
    hours: int = Field(default=24, ge=1, le=168)
    limit: int = Field(default=30, ge=1, le=100)


class IncidentUpdateIn(Strict):
    body_fr: Text = Field(min_length=1, max_length=10_000)
    body_en: Text = Field(min_length=1, max_length=10_000)
    status: OpenStatusIn | None = Field(default=None, description="the incident's status after this update")
    resolve: bool = False
    resolve_tickets: bool = Field(default=False, description="with resolve: resolve the linked tickets too")


class IncidentRefusedOut(Schema):
    reference: str
    detail: str


class IncidentPublishedOut(IncidentUpdateOut):
    tickets_resolved: list[str]
    tickets_refused: list[IncidentRefusedOut]


def _update(u: IncidentUpdate) -> dict:
    p = broadcast_progress(update=u)
    return {
        "id": u.pk, "incident_id": u.incident_id, "status": u.status, "resolves": u.resolves,
        "resolve_tickets": u.resolve_tickets, "body_fr": u.body_fr, "body_en": u.body_en,
        "created_at": u.created_at, "created_by": u.created_by.email if u.created_by else None,
        "progress": {
            "state": p.state, "sent": p.sent, "failed": p.failed, "pending": p.pending, "total": p.total,
        },
    }  # fmt: skip


def _incident(i: Incident) -> dict:
    return {
        "id": i.pk, "reference": i.reference, "title": i.title,
        "service": i.service.slug if i.service else None, "area": i.area, "impact": i.impact,
        "status": i.status, "workaround_fr": i.workaround_fr, "workaround_en": i.workaround_en,
        "next_update_at": i.next_update_at, "declared_by": i.declared_by.email if i.declared_by else None,
        "source_ticket": i.source_ticket.reference if i.source_ticket else None,
        "created_at": i.created_at, "updated_at": i.updated_at, "resolved_at": i.resolved_at,
        "tickets": [link.ticket.reference for link in incident_links(incident=i)],
        "updates": [_update(u) for u in incident_updates(incident=i)],
    }  # fmt: skip


@router.post(
    "/incidents", response={201: IncidentCreatedOut, **ERRORS}, operation_id="comptoir_api_incident_create"
)
def incident_create_view(request: HttpRequest, payload: IncidentIn):  # type: ignore[no-untyped-def]
    """Declare a major incident (a service and/or an area); from a ticket with ``ticket``."""
    incident = incident_declare(
        actor=request.auth, title=payload.title, service_slug=payload.service, area=payload.area,  # type: ignore[arg-type]
        impact=payload.impact, status=payload.status, workaround_fr=payload.workaround_fr,
        workaround_en=payload.workaround_en, next_update_at=payload.next_update_at,
        ticket_reference=payload.ticket or "",
    )  # fmt: skip
    return Status(201, {"id": incident.pk, "reference": incident.reference})


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **ERRORS},
    operation_id="comptoir_api_incident_get",
)
def incident_get_view(request: HttpRequest, incident_id: Id):  # type: ignore[no-untyped-def]
    """The incident, its linked tickets and its updates with their broadcast's progress."""
    return _incident(incident_get(actor=request.auth, incident_id=incident_id))  # type: ignore[arg-type]


@router.patch(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **ERRORS},
    operation_id="comptoir_api_incident_patch",
)
def incident_patch_view(request: HttpRequest, incident_id: Id, payload: IncidentPatch):  # type: ignore[no-untyped-def]
    """Change the fields given (``service: null`` clears it). Resolve with a final update instead."""
    given = {name: getattr(payload, name) for name in payload.model_fields_set}
    if "service" in given:
        given["service_slug"] = given.pop("service")
    for name in ("title", "area", "impact", "status", "workaround_fr", "workaround_en"):
        if name in given and given[name] is None:
            given.pop(name)
    incident_update(actor=request.auth, incident_id=incident_id, **given)  # type: ignore[arg-type]
    return _incident(incident_get(actor=request.auth, incident_id=incident_id))  # type: ignore[arg-type]


@router.post(
    "/incidents/{incident_id}/tickets",
    response={200: IncidentLinkOut, **ERRORS},
    operation_id="comptoir_api_incident_link",
)
def incident_link_view(request: HttpRequest, incident_id: Id, payload: IncidentLinkIn):  # type: ignore[no-untyped-def]
    """Link tickets by reference; each linked ticket's history says so."""
    outcome = incident_link_tickets(
        actor=request.auth,
        incident_id=incident_id,
        references=payload.references,
        how=payload.how,  # type: ignore[arg-type]
    )
    return {"linked": outcome.linked, "already": outcome.already, "not_found": outcome.not_found}


@router.get(
    "/incidents/{incident_id}/suggested-tickets",
    response={200: IncidentSuggestionsOut, **ERRORS},
    operation_id="comptoir_api_incident_suggestions",
)
def incident_suggestions_view(request: HttpRequest, incident_id: Id, filters: Query[IncidentSuggestFilter]):  # type: ignore[no-untyped-def]
    """Open tickets of the last ``hours`` that look like part of the incident, and why."""
    incident = incident_get(actor=request.auth, incident_id=incident_id)  # type: ignore[arg-type]
    found = incident_suggested_tickets(
        actor=request.auth,
        incident=incident,
        hours=filters.hours,
        limit=filters.limit,  # type: ignore[arg-type]
    )
    return {
        "items": [
            {
                "reference": s.ticket.reference,
                "subject": s.ticket.subject,
                "created_at": s.ticket.created_at,
                "status": s.ticket.status,
                "score": s.match.score,
                "reasons": [{"code": code, "text": text} for code, text in s.reasons],
            }  # fmt: skip
            for s in found
        ]
    }


@router.post(
    "/incidents/{incident_id}/updates",
    response={201: IncidentPublishedOut, **ERRORS},
    operation_id="comptoir_api_incident_update_publish",
)
def incident_publish_view(request: HttpRequest, incident_id: Id, payload: IncidentUpdateIn):  # type: ignore[no-untyped-def]
    """Publish an update (French and English) and start its broadcast to the affected customers.
    ``resolve: true`` resolves the incident, and with ``resolve_tickets`` its open linked tickets
    (each answered with the update). ``Idempotency-Key`` (per client) makes a retry safe."""
    key = request.headers.get("Idempotency-Key", "").strip()[:150] or None
    outcome = incident_publish_update(
        actor=request.auth, incident_id=incident_id, body_fr=payload.body_fr, body_en=payload.body_en,  # type: ignore[arg-type]
        status=payload.status or "", resolve=payload.resolve, resolve_tickets=payload.resolve_tickets,
        idempotency_key=f"api:{request.auth.pk}:{key}" if key else None,  # type: ignore[attr-defined]
    )  # fmt: skip
    body = _update(outcome.update)
    body["tickets_resolved"] = outcome.resolved
    body["tickets_refused"] = [{"reference": ref, "detail": why} for ref, why in outcome.refused]
    return Status(201, body)


@router.get(
    "/incidents/{incident_id}/updates/{update_id}",
    response={200: IncidentUpdateOut, **ERRORS},
    operation_id="comptoir_api_incident_update_get",
)
def incident_update_view(request: HttpRequest, incident_id: Id, update_id: Id):  # type: ignore[no-untyped-def]
    """An update and its broadcast's progress (sent, failed, pending), read from the outbox."""
    return _update(incident_update_get(actor=request.auth, incident_id=incident_id, update_id=update_id))  # type: ignore[arg-type]
