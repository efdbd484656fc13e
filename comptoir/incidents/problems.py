"""Problems (issue 13, items 4 and 5): the records, their links, publishing a known error as a
knowledge-base article, and the agents' decisions on detected clusters (accept, merge, dismiss).

Reads and writes of problems live here together (``detection.py`` finds the clusters, builds the
proposals and the coaching suggestions). Every ticket linked gets a line in its history through
the tickets app's event writer, as incidents do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import InvalidInput, NotFound, PermissionDenied
from comptoir.common.queries import ROW_ONLY
from comptoir.knowledge.models import Article
from comptoir.knowledge.selectors import article_may_write
from comptoir.knowledge.services import ArticleData, article_create, article_update
from comptoir.tickets.changes import ticket_changed
from comptoir.tickets.models import Category, Ticket
from comptoir.tickets.selectors import ticket_visible_to
from comptoir.tickets.services import event_record

from .history import PROBLEM_LINKED
from .models import (
    CoachingSuggestion,
    Incident,
    Problem,
    ProblemIncident,
    ProblemProposal,
    ProblemTicket,
    ProposalTicket,
)
from .services import UNSET, LinkOutcome, incident_may_manage

TITLE_MAX = 200
TEXT_MAX = 10_000
LINK_MAX = 200

problem_may_manage = incident_may_manage


def _check_actor(actor: User) -> None:
    if not problem_may_manage(actor):
        raise PermissionDenied(_("Only agents can manage problems."))


def _text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidInput(_("This field is required."), field=field)
    if len(text) > limit:
        raise InvalidInput(_("This text is too long."), field=field)
    return text


def _status(value: str) -> str:
    if value not in Problem.Status.values:
        raise InvalidInput(_("Choose a value from the list."), field="status")
    return value


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True, is_agent=True).first()
    if owner is None:
        raise InvalidInput(_("The owner must be an active agent."), field="owner")
    return owner


def _category(slug: str | None) -> Category | None:
    if not slug:
        return None
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise InvalidInput(_("No category has this name."), field="category")
    return category


def _locked(problem_id: int) -> Problem:
    problem = Problem.objects.select_for_update(of=ROW_ONLY).filter(pk=problem_id).first()
    if problem is None:
        raise NotFound(_("No such problem."))
    return problem


# --- Reads ---------------------------------------------------------------------------------------


def problem_list(*, actor: User, status: str = "", limit: int = 200) -> list[Problem]:
    """Problems, newest first, with their numbers of linked tickets and incidents."""
    if not problem_may_manage(actor):
        raise NotFound(_("No such problem."))
    qs = Problem.objects.select_related("owner", "category").annotate(
        ticket_count=Count("ticket_links", distinct=True),
        incident_count=Count("incident_links", distinct=True),
    )
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-id")[:limit])


def problem_get(*, actor: User, problem_id: int) -> Problem:
    if not problem_may_manage(actor):
        raise NotFound(_("No such problem."))
    problem = (
        Problem.objects.select_related("owner", "category", "article", "created_by")
        .filter(pk=problem_id)
        .first()
    )
    if problem is None:
        raise NotFound(_("No such problem."))
    return problem


def problem_tickets(*, problem: Problem) -> list[ProblemTicket]:
    return list(
        ProblemTicket.objects.filter(problem=problem)
        .select_related("ticket", "ticket__customer")
        .order_by("-id")
    )


def problem_incidents(*, problem: Problem) -> list[ProblemIncident]:
    return list(ProblemIncident.objects.filter(problem=problem).select_related("incident").order_by("-id"))


def problem_articles(*, problem: Problem) -> list[Article]:
    """The published article and its translations (the known error's publication)."""
    if problem.article_id is None:
        return []
    original = problem.article.translation_of_id or problem.article_id  # type: ignore[union-attr]
    return list(Article.objects.filter(pk=original) | Article.objects.filter(translation_of_id=original))


def problems_for_ticket(*, ticket_id: int) -> list[Problem]:
    return list(Problem.objects.filter(ticket_links__ticket_id=ticket_id).order_by("-id"))


def _proposal_qs() -> QuerySet[ProblemProposal]:
    return ProblemProposal.objects.select_related("category", "problem", "decided_by").prefetch_related(
        Prefetch(
            "ticket_links",
            queryset=ProposalTicket.objects.select_related("ticket", "ticket__customer").order_by(
                "-ticket_id"
            ),
        )
    )


def proposal_list(
    *, actor: User, status: str = ProblemProposal.Status.PENDING, limit: int = 100
) -> list[ProblemProposal]:
    """Proposals (pending ones by default), largest first, with their tickets."""
    if not problem_may_manage(actor):
        raise NotFound(_("No such proposal."))
    qs = _proposal_qs()
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-size", "-id")[:limit])


def proposal_get(*, actor: User, proposal_id: int) -> ProblemProposal:
    if not problem_may_manage(actor):
        raise NotFound(_("No such proposal."))
    proposal = _proposal_qs().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("No such proposal."))
    return proposal


# --- Writes --------------------------------------------------------------------------------------


@transaction.atomic
def problem_create(
    *,
    actor: User,
    title: str,
    root_cause: str = "",
    workaround_fr: str = "",
    workaround_en: str = "",
    owner_id: int | None = None,
    category_slug: str | None = None,
    ticket_references: Iterable[str] = (),
    incident_ids: Iterable[int] = (),
) -> Problem:
    """Open a problem, with the tickets and incidents it is known to cause."""
    _check_actor(actor)
    problem = Problem.objects.create(
        title=_text(title, field="title", limit=TITLE_MAX, required=True),
        root_cause=_text(root_cause, field="root_cause", limit=TEXT_MAX),
        workaround_fr=_text(workaround_fr, field="workaround_fr", limit=TEXT_MAX),
        workaround_en=_text(workaround_en, field="workaround_en", limit=TEXT_MAX),
        owner=_owner(owner_id) if owner_id is not None else actor,
        category=_category(category_slug),
        created_by=actor,
    )
    refs = list(ticket_references)
    if refs:
        _link_references(problem=problem, actor=actor, references=refs, how=ProblemTicket.How.MANUAL)
    _link_incidents(problem=problem, actor=actor, incident_ids=list(incident_ids))
    return problem


@transaction.atomic
def problem_update(
    *,
    actor: User,
    problem_id: int,
    title: str = UNSET,
    root_cause: str = UNSET,
    workaround_fr: str = UNSET,
    workaround_en: str = UNSET,
    known_error: bool = UNSET,
    status: str = UNSET,
    owner_id: int | None = UNSET,
    category_slug: str | None = UNSET,
) -> Problem:
    """Change what is given (PATCH). Marking a known error does not publish by itself: publishing
    is its own action (``problem_publish``), by an agent allowed to write articles."""
    _check_actor(actor)
    problem = _locked(problem_id)
    changed: list[str] = []

    def put(name: str, value: Any) -> None:
        if getattr(problem, name) != value:
            setattr(problem, name, value)
            changed.append(name)

    if title is not UNSET:
        put("title", _text(title, field="title", limit=TITLE_MAX, required=True))
    for name, value in (
        ("root_cause", root_cause),
        ("workaround_fr", workaround_fr),
        ("workaround_en", workaround_en),
    ):
        if value is not UNSET:
            put(name, _text(value, field=name, limit=TEXT_MAX))
    if status is not UNSET:
        put("status", _status(status))
        if status == Problem.Status.KNOWN_ERROR:
            put("known_error", True)
    if known_error is not UNSET:
        put("known_error", bool(known_error))
        if known_error and problem.status == Problem.Status.OPEN:
            put("status", Problem.Status.KNOWN_ERROR)
    if owner_id is not UNSET:
        put("owner", _owner(owner_id))
    if category_slug is not UNSET:
        put("category", _category(category_slug))
    if changed:
        problem.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    return problem


def _link_ticket(*, problem: Problem, ticket: Ticket, actor: User | None, how: str) -> bool:
    try:
        with transaction.atomic():
            ProblemTicket.objects.create(problem=problem, ticket=ticket, how=how, linked_by=actor)
    except IntegrityError:
        return False
    event_record(ticket=ticket, actor=actor, field=PROBLEM_LINKED, old=how, new=problem.pk)
    ticket_changed(
        ticket_id=ticket.pk, kinds=[PROBLEM_LINKED], actor_id=actor.pk if actor else None,
        values={PROBLEM_LINKED: (None, problem.pk)},
    )  # fmt: skip
    return True


def _link_references(*, problem: Problem, actor: User, references: list[str], how: str) -> LinkOutcome:
    refs = list(dict.fromkeys(r.strip() for r in references if r and r.strip()))
    if len(refs) > LINK_MAX:
        raise InvalidInput(_("Link at most 200 tickets at once."), field="tickets")
    tickets = {t.reference: t for t in ticket_visible_to(actor=actor).filter(reference__in=refs)}
    outcome = LinkOutcome()
    for ref in refs:
        ticket = tickets.get(ref)
        if ticket is None:
            outcome.not_found.append(ref)
        elif _link_ticket(problem=problem, ticket=ticket, actor=actor, how=how):
            outcome.linked.append(ref)
        else:
            outcome.already.append(ref)
    return outcome


def _link_incidents(*, problem: Problem, actor: User, incident_ids: list[int]) -> list[int]:
    linked = []
    incidents = Incident.objects.filter(pk__in=incident_ids)
    found = {i.pk for i in incidents}
    missing = [i for i in incident_ids if i not in found]
    if missing:
        raise InvalidInput(
            _("No such incident: %(ids)s.") % {"ids": ", ".join(map(str, missing))}, field="incidents"
        )
    for incident in incidents:
        try:
            with transaction.atomic():
                ProblemIncident.objects.create(problem=problem, incident=incident, linked_by=actor)
        except IntegrityError:
            continue
        linked.append(incident.pk)
    return linked


@transaction.atomic
def problem_link(
    *, actor: User, problem_id: int, ticket_references: Iterable[str] = (), incident_ids: Iterable[int] = ()
) -> LinkOutcome:
    """Link tickets (by reference) and incidents (by id); each newly linked ticket's history says so."""
    _check_actor(actor)
    problem = _locked(problem_id)
    refs = list(ticket_references)
    ids = list(incident_ids)
    if not refs and not ids:
        raise InvalidInput(_("Give at least one ticket reference or incident."), field="tickets")
    outcome = _link_references(problem=problem, actor=actor, references=refs, how=ProblemTicket.How.MANUAL)
    _link_incidents(problem=problem, actor=actor, incident_ids=ids)
    return outcome


# --- Publishing a known error --------------------------------------------------------------------


def _article_body(problem: Problem, language: str) -> str:
    workaround = problem.workaround_fr if language == "fr" else problem.workaround_en
    with translation.override(language):
        parts = []
        # Headings extracted outside f-strings: makemessages does not read inside them.
        cause, way_around = _("Cause"), _("Workaround")
        if problem.root_cause:
            parts.append(f"## {cause}\n\n{problem.root_cause}")
        parts.append(f"## {way_around}\n\n{workaround}")
        parts.append(_("We know about this problem and are working on a permanent fix."))
    return "\n\n".join(parts)


def problem_publish(*, actor: User, problem_id: int) -> list[Article]:
    """Publish the known error as public knowledge-base articles in one action: one per language
    that has a workaround, the English one a translation of the French one, each with the root
    cause and the workaround. Published again, the same articles are updated. The problem becomes
    a known error and keeps the link (the French article when there is one)."""
    _check_actor(actor)
    if not article_may_write(actor=actor):
        raise PermissionDenied(_("Only level-2 agents and supervisors may write articles."))
    with transaction.atomic():
        problem = _locked(problem_id)
        languages = [lang for lang in ("fr", "en") if getattr(problem, f"workaround_{lang}").strip()]
        if not languages:
            raise InvalidInput(
                _("Write the workaround first, in French, English or both."), field="workaround_fr"
            )
        if problem.status in (Problem.Status.RESOLVED, Problem.Status.CLOSED):
            raise InvalidInput(_("This problem is resolved; it is no longer a known error."), field="status")
        existing = {a.language: a for a in problem_articles(problem=problem)}
        articles: list[Article] = []
        original: Article | None = None
        for lang in languages:
            data = ArticleData(
                title=problem.title, body=_article_body(problem, lang), status=Article.Status.PUBLISHED,
                visibility=Article.Visibility.PUBLIC, category=problem.category,
            )  # fmt: skip
            current = existing.get(lang)
            if current is not None:
                article = article_update(actor=actor, article_id=current.pk, data=data)
            else:
                data.language = lang
                data.translation_of = (
                    original.pk
                    if original is not None
                    else (next((a.pk for a in existing.values() if a.translation_of_id is None), None))
                )
                article = article_create(actor=actor, data=data)
            original = original or article
            articles.append(article)
        problem.article = articles[0]
        problem.known_error = True
        fields = ["article", "known_error", "updated_at"]
        if problem.status == Problem.Status.OPEN:
            problem.status = Problem.Status.KNOWN_ERROR
            fields.append("status")
        problem.save(update_fields=fields)
    return articles


# --- Decisions on proposals ----------------------------------------------------------------------


def _pending(proposal_id: int) -> ProblemProposal:
    proposal = ProblemProposal.objects.select_for_update(of=ROW_ONLY).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("No such proposal."))
    if proposal.status != ProblemProposal.Status.PENDING:
        raise InvalidInput(_("This proposal was already decided."), field="status")
    return proposal


def _link_proposal_tickets(*, problem: Problem, proposal: ProblemProposal, actor: User) -> int:
    tickets = Ticket.objects.filter(
        pk__in=ProposalTicket.objects.filter(proposal=proposal).values("ticket_id")
    )
    return sum(
        _link_ticket(problem=problem, ticket=t, actor=actor, how=ProblemTicket.How.DETECTED) for t in tickets
    )


def _decided(
    proposal: ProblemProposal, *, actor: User, status: str, problem: Problem | None, reason: str
) -> None:
    proposal.status = status
    proposal.problem = problem
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = _text(reason, field="reason", limit=500)
    proposal.save(update_fields=["status", "problem", "decided_by", "decided_at", "reason", "updated_at"])


def _proposal_title(proposal: ProblemProposal) -> str:
    terms = ", ".join(proposal.shared_terms[:4])
    if terms:
        return _("Recurring: %(terms)s") % {"terms": terms}
    return _("Recurring tickets (proposal %(id)s)") % {"id": proposal.pk}


@transaction.atomic
def proposal_accept(*, actor: User, proposal_id: int, title: str = "") -> Problem:
    """Open a problem from the cluster, linked to its tickets (each ticket's history says so)."""
    _check_actor(actor)
    proposal = _pending(proposal_id)
    problem = Problem.objects.create(
        title=_text(title, field="title", limit=TITLE_MAX) or _proposal_title(proposal)[:TITLE_MAX],
        category=proposal.category, owner=actor, created_by=actor,
    )  # fmt: skip
    _link_proposal_tickets(problem=problem, proposal=proposal, actor=actor)
    _decided(proposal, actor=actor, status=ProblemProposal.Status.ACCEPTED, problem=problem, reason="")
    return problem


@transaction.atomic
def proposal_merge(*, actor: User, proposal_id: int, problem_id: int) -> Problem:
    """Add the cluster's tickets to an existing problem."""
    _check_actor(actor)
    proposal = _pending(proposal_id)
    problem = Problem.objects.filter(pk=problem_id).first()
    if problem is None:
        raise InvalidInput(_("No such problem."), field="problem_id")
    if problem.status == Problem.Status.CLOSED:
        raise InvalidInput(_("This problem is closed."), field="problem_id")
    _link_proposal_tickets(problem=problem, proposal=proposal, actor=actor)
    _decided(proposal, actor=actor, status=ProblemProposal.Status.MERGED, problem=problem, reason="")
    return problem


@transaction.atomic
def proposal_dismiss(*, actor: User, proposal_id: int, reason: str = "") -> ProblemProposal:
    """Dismiss the cluster; its tickets are remembered, so that it is proposed again only if it
    grows substantially (``detection.GROWTH``)."""
    _check_actor(actor)
    proposal = _pending(proposal_id)
    _decided(proposal, actor=actor, status=ProblemProposal.Status.DISMISSED, problem=None, reason=reason)
    return proposal


# --- Coaching (item 6) ---------------------------------------------------------------------------


def coaching_list(
    *, actor: User, customer_id: int | None = None, status: str = "open", limit: int = 200
) -> list[CoachingSuggestion]:
    """Open coaching suggestions (the coordinator's own first), or those of one customer."""
    if not problem_may_manage(actor):
        return []
    qs = CoachingSuggestion.objects.select_related("customer", "category", "problem", "coordinator")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if status:
        qs = qs.filter(status=status)
    found = list(qs.order_by("-id")[:limit])
    found.sort(key=lambda s: s.coordinator_id != actor.pk)
    return found


@transaction.atomic
def coaching_decide(*, actor: User, suggestion_id: int, status: str) -> CoachingSuggestion:
    """Mark a coaching suggestion done (the explanation was sent) or dismissed."""
    _check_actor(actor)
    if status not in (CoachingSuggestion.Status.DONE, CoachingSuggestion.Status.DISMISSED):
        raise InvalidInput(_("Choose a value from the list."), field="status")
    suggestion = CoachingSuggestion.objects.select_for_update().filter(pk=suggestion_id).first()
    if suggestion is None:
        raise NotFound(_("No such suggestion."))
    suggestion.status = status
    suggestion.decided_by = actor
    suggestion.save(update_fields=["status", "decided_by", "updated_at"])
    return suggestion


def coaching_articles(*, suggestion: CoachingSuggestion, limit: int = 5) -> list[Article]:
    """What to send: the problem's published article, then the published public articles of the
    category, in the customer's language first."""
    from comptoir.knowledge.selectors import article_visible_to

    public = article_visible_to(actor=None)
    found: list[Article] = []
    if suggestion.problem is not None and suggestion.problem.article_id is not None:
        found.extend(public.filter(pk=suggestion.problem.article_id))
    category_id = suggestion.category_id or (suggestion.problem.category_id if suggestion.problem else None)
    if category_id is not None:
        found.extend(
            public.filter(category_id=category_id).exclude(pk__in=[a.pk for a in found]).order_by("-id")[:20]
        )
    language = (suggestion.customer.language or "en")[:2]
    found.sort(key=lambda a: a.language != language)
    return found[:limit]
