"""Problems (issue 13, items 4 and 5): records, their links, publishing a known error, and the
proposals from detection with their tickets and shared terms. Agents only."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from comptoir.incidents.models import Problem, ProblemProposal
from comptoir.incidents.problems import (
    problem_create,
    problem_get,
    problem_incidents,
    problem_link,
    problem_list,
    problem_publish,
    problem_tickets,
    problem_update,
    proposal_accept,
    proposal_dismiss,
    proposal_get,
    proposal_list,
    proposal_merge,
)

from .schemas import ERRORS, Id, Strict, Text

router = Router(tags=["problems"])

StatusIn = Literal["open", "known_error", "resolved", "closed"]


class ProblemIn(Strict):
    title: Text = Field(min_length=1, max_length=200)
    root_cause: Text = Field(default="", max_length=10_000)
    workaround_fr: Text = Field(default="", max_length=10_000)
    workaround_en: Text = Field(default="", max_length=10_000)
    owner: Id | None = Field(default=None, description="the owner's user id (default: you)")
    category: Text | None = Field(default=None, max_length=50, description="category slug")
    tickets: list[Text] = Field(default_factory=list, max_length=200, description="ticket references")
    incidents: list[Id] = Field(default_factory=list, max_length=200, description="incident ids")


class ProblemPatch(Strict):
    title: Text | None = Field(default=None, min_length=1, max_length=200)
    root_cause: Text | None = Field(default=None, max_length=10_000)
    workaround_fr: Text | None = Field(default=None, max_length=10_000)
    workaround_en: Text | None = Field(default=None, max_length=10_000)
    known_error: bool | None = None
    status: StatusIn | None = None
    owner: Id | None = None
    category: Text | None = Field(default=None, max_length=50)
    tickets: list[Text] = Field(default_factory=list, max_length=200, description="references to link")
    incidents: list[Id] = Field(default_factory=list, max_length=200, description="incident ids to link")


class ProblemCreatedOut(Schema):
    id: int
    reference: str


class ProblemOut(Schema):
    id: int
    reference: str
    title: str
    root_cause: str
    workaround_fr: str
    workaround_en: str
    known_error: bool
    status: str
    owner: str | None
    category: str | None
    article_id: int | None = Field(description="the published known-error article (French when there is one)")
    tickets: list[str]
    incidents: list[int]
    created_at: datetime
    updated_at: datetime


class ProblemListOut(Schema):
    items: list[ProblemOut]


class ProblemFilter(Schema):
    status: StatusIn | None = None


class PublishedArticleOut(Schema):
    id: int
    language: str
    title: str
    translation_of: int | None


class PublishedOut(Schema):
    problem: ProblemOut
    articles: list[PublishedArticleOut]


class ProposalTicketOut(Schema):
    reference: str
    subject: str
    language: str
    created_at: datetime


class ProposalOut(Schema):
    id: int
    status: str
    size: int
    shared_terms: list[str]
    shared_items: list[str]
    category: str | None
    window_days: int
    first_at: datetime
    last_at: datetime
    cohesion: float = Field(description="mean cosine similarity between the tickets' texts")
    problem_id: int | None
    tickets: list[ProposalTicketOut]
    created_at: datetime


class ProposalListOut(Schema):
    items: list[ProposalOut]


class ProposalFilter(Schema):
    status: Literal["pending", "accepted", "merged", "dismissed"] = "pending"


class AcceptIn(Strict):
    title: Text = Field(default="", max_length=200)


class MergeIn(Strict):
    problem_id: Id


class DismissIn(Strict):
    reason: Text = Field(default="", max_length=500)


def _problem(p: Problem) -> dict:
    return {
        "id": p.pk, "reference": p.reference, "title": p.title, "root_cause": p.root_cause,
        "workaround_fr": p.workaround_fr, "workaround_en": p.workaround_en, "known_error": p.known_error,
        "status": p.status, "owner": p.owner.email if p.owner else None,
        "category": p.category.slug if p.category else None, "article_id": p.article_id,
        "tickets": [link.ticket.reference for link in problem_tickets(problem=p)],
        "incidents": [link.incident_id for link in problem_incidents(problem=p)],
        "created_at": p.created_at, "updated_at": p.updated_at,
    }  # fmt: skip


def _proposal(p: ProblemProposal) -> dict:
    return {
        "id": p.pk, "status": p.status, "size": p.size, "shared_terms": p.shared_terms,
        "shared_items": p.shared_items, "category": p.category.slug if p.category else None,
        "window_days": p.window_days, "first_at": p.first_at, "last_at": p.last_at, "cohesion": p.cohesion,
        "problem_id": p.problem_id, "created_at": p.created_at,
        "tickets": [
            {"reference": link.ticket.reference, "subject": link.ticket.subject,
             "language": link.ticket.language, "created_at": link.ticket.created_at}
            for link in p.ticket_links.all()
        ],
    }  # fmt: skip


@router.get("/problems", response={200: ProblemListOut, **ERRORS}, operation_id="comptoir_api_problem_list")
def problem_list_view(request: HttpRequest, filters: Query[ProblemFilter]):  # type: ignore[no-untyped-def]
    """Problems, newest first (``status`` filters)."""
    return {"items": [_problem(p) for p in problem_list(actor=request.auth, status=filters.status or "")]}  # type: ignore[arg-type]


@router.post(
    "/problems", response={201: ProblemCreatedOut, **ERRORS}, operation_id="comptoir_api_problem_create"
)
def problem_create_view(request: HttpRequest, payload: ProblemIn):  # type: ignore[no-untyped-def]
    """Open a problem, with the tickets (references) and incidents (ids) it causes."""
    problem = problem_create(
        actor=request.auth, title=payload.title, root_cause=payload.root_cause,  # type: ignore[arg-type]
        workaround_fr=payload.workaround_fr, workaround_en=payload.workaround_en, owner_id=payload.owner,
        category_slug=payload.category, ticket_references=payload.tickets, incident_ids=payload.incidents,
    )  # fmt: skip
    return Status(201, {"id": problem.pk, "reference": problem.reference})


@router.get(
    "/problems/proposals",
    response={200: ProposalListOut, **ERRORS},
    operation_id="comptoir_api_proposal_list",
)
def proposal_list_view(request: HttpRequest, filters: Query[ProposalFilter]):  # type: ignore[no-untyped-def]
    """Clusters detection proposes as problems, with why: tickets, shared terms and items."""
    return {"items": [_proposal(p) for p in proposal_list(actor=request.auth, status=filters.status)]}  # type: ignore[arg-type]


@router.post(
    "/problems/proposals/{proposal_id}/accept",
    response={201: ProblemCreatedOut, **ERRORS},
    operation_id="comptoir_api_proposal_accept",
)
def proposal_accept_view(request: HttpRequest, proposal_id: Id, payload: AcceptIn):  # type: ignore[no-untyped-def]
    """Open a problem linked to the proposal's tickets."""
    problem = proposal_accept(actor=request.auth, proposal_id=proposal_id, title=payload.title)  # type: ignore[arg-type]
    return Status(201, {"id": problem.pk, "reference": problem.reference})


@router.post(
    "/problems/proposals/{proposal_id}/merge",
    response={200: ProblemCreatedOut, **ERRORS},
    operation_id="comptoir_api_proposal_merge",
)
def proposal_merge_view(request: HttpRequest, proposal_id: Id, payload: MergeIn):  # type: ignore[no-untyped-def]
    """Add the proposal's tickets to an existing problem."""
    problem = proposal_merge(actor=request.auth, proposal_id=proposal_id, problem_id=payload.problem_id)  # type: ignore[arg-type]
    return {"id": problem.pk, "reference": problem.reference}


@router.post(
    "/problems/proposals/{proposal_id}/dismiss",
    response={200: ProposalOut, **ERRORS},
    operation_id="comptoir_api_proposal_dismiss",
)
def proposal_dismiss_view(request: HttpRequest, proposal_id: Id, payload: DismissIn):  # type: ignore[no-untyped-def]
    """Dismiss the proposal; the same cluster is not proposed again unless it grows substantially."""
    proposal_dismiss(actor=request.auth, proposal_id=proposal_id, reason=payload.reason)  # type: ignore[arg-type]
    return _proposal(proposal_get(actor=request.auth, proposal_id=proposal_id))  # type: ignore[arg-type]


@router.get(
    "/problems/{problem_id}", response={200: ProblemOut, **ERRORS}, operation_id="comptoir_api_problem_get"
)
def problem_get_view(request: HttpRequest, problem_id: Id):  # type: ignore[no-untyped-def]
    return _problem(problem_get(actor=request.auth, problem_id=problem_id))  # type: ignore[arg-type]


@router.patch(
    "/problems/{problem_id}", response={200: ProblemOut, **ERRORS}, operation_id="comptoir_api_problem_patch"
)
def problem_patch_view(request: HttpRequest, problem_id: Id, payload: ProblemPatch):  # type: ignore[no-untyped-def]
    """Change the fields given (``owner``/``category: null`` clears them); ``tickets`` and
    ``incidents`` link more."""
    given = {name: getattr(payload, name) for name in payload.model_fields_set}
    refs, incidents = given.pop("tickets", []), given.pop("incidents", [])
    if "owner" in given:
        given["owner_id"] = given.pop("owner")
    if "category" in given:
        given["category_slug"] = given.pop("category")
    for name in ("title", "root_cause", "workaround_fr", "workaround_en", "known_error", "status"):
        if name in given and given[name] is None:
            given.pop(name)
    problem_update(actor=request.auth, problem_id=problem_id, **given)  # type: ignore[arg-type]
    if refs or incidents:
        problem_link(
            actor=request.auth, problem_id=problem_id, ticket_references=refs, incident_ids=incidents
        )  # type: ignore[arg-type]
    return _problem(problem_get(actor=request.auth, problem_id=problem_id))  # type: ignore[arg-type]


@router.post(
    "/problems/{problem_id}/publish",
    response={200: PublishedOut, **ERRORS},
    operation_id="comptoir_api_problem_publish",
)
def problem_publish_view(request: HttpRequest, problem_id: Id):  # type: ignore[no-untyped-def]
    """Publish the known error as public articles (French and English, linked as translations)."""
    articles = problem_publish(actor=request.auth, problem_id=problem_id)  # type: ignore[arg-type]
    return {
        "problem": _problem(problem_get(actor=request.auth, problem_id=problem_id)),  # type: ignore[arg-type]
        "articles": [
            {"id": a.pk, "language": a.language, "title": a.title, "translation_of": a.translation_of_id}
            for a in articles
        ],
    }
