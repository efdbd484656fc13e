"""Fair assignment: the next ticket an agent should take, picking, skipping, auto-assignment,
and escalation between levels.

"Next ticket" gives the most urgent ticket the agent may take (earliest SLA due time, then
priority, then age) among their teams' unassigned open tickets that match their level, languages
and skills. The claim is a conditional UPDATE (``assignee IS NULL``): of many agents asking at
once, exactly one gets each ticket, on SQLite and on PostgreSQL, without holding locks while
searching.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import Conflict, InvalidInput, PermissionDenied
from comptoir.routing.models import Team
from comptoir.routing.selectors import team_default, team_escalation_target, team_get_by_name
from comptoir.tickets.changes import ticket_changed
from comptoir.tickets.models import Ticket, TicketEvent
from comptoir.tickets.notifications import escalation_notify
from comptoir.tickets.permissions import ticket_action_check
from comptoir.tickets.review import ESCALATED, review_reason
from comptoir.tickets.selectors import OPEN
from comptoir.tickets.services import event_record, review_reason_added, ticket_agent_message, ticket_change

# How long a ticket an agent skipped stays out of their "next ticket".
SKIP_MEMORY = timedelta(hours=8)
# Candidates read per team and level; claims that lose a race move to the next one.
BATCH = 10


def _require_agent(agent: User) -> None:
    if not (agent.is_active and agent.is_agent):
        raise PermissionDenied(_("Only agents can take tickets."))


def open_load(*, agent: User) -> int:
    return Ticket.objects.filter(assignee_id=agent.pk, **OPEN).count()


def _team_ids(agent: User) -> list[int]:
    return sorted(agent.teams.values_list("pk", flat=True))


def _eligible(agent: User) -> QuerySet[Ticket]:
    """Unassigned open tickets this agent may take, before team and level are chosen."""
    skills = list(agent.skills.values_list("pk", flat=True))
    skipped = TicketEvent.objects.filter(
        field=TicketEvent.Kind.SKIP, actor_id=agent.pk, created_at__gte=timezone.now() - SKIP_MEMORY
    ).values_list("ticket_id", flat=True)
    return (
        Ticket.objects.filter(assignee__isnull=True, snoozed_until__isnull=True, **OPEN)
        .filter(language__in=agent.language_list or ["en"])
        .filter(Q(category__isnull=True) | Q(category__skill__isnull=True) | Q(category__skill__in=skills))
        .exclude(pk__in=skipped)
    )


def next_candidates(*, agent: User, limit: int = BATCH) -> list[Ticket]:
    """The tickets "next ticket" would offer, best first.

    Level-2 agents get escalated (level-2) tickets before level-1 ones; level-1 agents only
    level-1 tickets. Each team and level is one range scan of ``ticket_next_idx``.
    """
    levels = [Ticket.Level.L2, Ticket.Level.L1] if agent.level >= User.Level.L2 else [Ticket.Level.L1]
    teams = _team_ids(agent)
    base = _eligible(agent)
    for level in levels:
        rows: list[Ticket] = []
        for team_id in teams:
            rows += list(
                base.filter(team_id=team_id, level=level).order_by("due_at", "priority", "id")[:limit]
            )
        if rows:
            rows.sort(key=lambda t: (t.due_at, t.priority, t.pk))
            return rows[:limit]
    return []


def _claim(*, ticket_id: int, agent: User, field: str, note: str = "") -> Ticket | None:
    with transaction.atomic():
        won = Ticket.objects.filter(pk=ticket_id, assignee__isnull=True, **OPEN).update(
            assignee=agent, version=F("version") + 1, updated_at=timezone.now()
        )
        if not won:
            return None
        ticket = Ticket.objects.get(pk=ticket_id)
        event_record(ticket=ticket, actor=agent, field=TicketEvent.Kind.ASSIGNEE, old="", new=agent.email)
        event_record(ticket=ticket, actor=agent, field=field, old="", new=note or agent.email)
        # The same door as ticket_change's: the desk's view counters move with the assignee.
        ticket_changed(
            ticket_id=ticket.pk, kinds=[TicketEvent.Kind.ASSIGNEE, field], actor_id=agent.pk,
            values={"assignee": (None, agent)},
        )  # fmt: skip
        return ticket


def _check_capacity(agent: User) -> None:
    if not agent.is_available:
        raise Conflict(_("You are marked unavailable: set yourself available to take tickets."))
    if open_load(agent=agent) >= agent.capacity:
        raise Conflict(
            _("You already hold %(count)s open tickets, your capacity. Resolve or hand one back first.")
            % {"count": agent.capacity}
        )


def ticket_next(*, agent: User) -> Ticket | None:
    """Assign the agent the most urgent ticket they may take; None when there is none."""
    _require_agent(agent)
    _check_capacity(agent)
    for _round in range(5):  # each round re-reads after losing every claim to faster agents
        candidates = next_candidates(agent=agent)
        if not candidates:
            return None
        for candidate in candidates:
            ticket = _claim(ticket_id=candidate.pk, agent=agent, field=TicketEvent.Kind.NEXT)
            if ticket is not None:
                return ticket
    return None


def ticket_pick(*, agent: User, ticket_id: int) -> Ticket:
    """Take a chosen ticket from the queue: a permission, off for level-1 agents by default."""
    _require_agent(agent)
    current = Ticket.objects.filter(pk=ticket_id).first()
    if current is None:
        raise Conflict(_("This ticket is already assigned or closed."))
    ticket_action_check(
        actor=agent, ticket=current, action="pick",
        role_error=_("You may not pick tickets from the queue; use Next ticket."),
        state_error=_("This ticket is already assigned or closed."),
    )  # fmt: skip
    # The conditional UPDATE still decides between agents picking at the same instant.
    ticket = _claim(ticket_id=ticket_id, agent=agent, field=TicketEvent.Kind.PICK)
    if ticket is None:
        raise Conflict(_("This ticket is already assigned or closed."))
    return ticket


@transaction.atomic
def ticket_skip(*, agent: User, ticket_id: int, reason: str) -> Ticket:
    """Hand back a ticket one holds, with a reason; it will not be offered to them again soon."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise InvalidInput(_("Say why you skip this ticket."), field="reason")
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    ticket_action_check(
        actor=agent, ticket=ticket, action="skip", role_error=_("You can only skip a ticket assigned to you.")
    )
    event_record(ticket=ticket, actor=agent, field=TicketEvent.Kind.SKIP, old=agent.email, new=reason)
    return ticket_change(ticket=ticket, actor=agent, changes={"assignee": None})


def _available_agents(team: Team, ticket: Ticket) -> list[User]:
    agents = (
        User.objects.filter(
            is_active=True, is_agent=True, is_available=True, teams=team, level__gte=ticket.level
        )
        .annotate(load=Count("assigned_tickets", filter=Q(assigned_tickets__is_open=True)))
        .filter(load__lt=F("capacity"))
    )
    skill = ticket.category.skill_id if ticket.category is not None else None
    if skill is not None:
        agents = agents.filter(skills=skill)
    eligible: list[User] = [a for a in agents.order_by("load", "pk") if ticket.language in a.language_list]
    return eligible


def ticket_auto_assign(*, ticket: Ticket) -> User | None:
    """When the ticket's team assigns automatically: the least-loaded available eligible agent."""
    if ticket.assignee_id is not None or ticket.team is None or not ticket.team.auto_assign:
        return None
    for agent in _available_agents(ticket.team, ticket):
        if (
            _claim(
                ticket_id=ticket.pk, agent=agent, field=TicketEvent.Kind.NEXT, note=_("automatic assignment")
            )
            is not None
        ):
            ticket.assignee = agent
            return agent
    return None


def auto_assign_step(ticket: Ticket, context: dict) -> str:
    """Enrichment step (``tickets.changes.enricher``): assign a new ticket once triage has placed
    it, unless a robot wrote it or someone took it meanwhile."""
    if context.get("auto"):
        return ""
    current = Ticket.objects.select_related("team", "category").get(pk=ticket.pk)
    if not current.is_open or current.assignee_id is not None:
        return ""
    agent = ticket_auto_assign(ticket=current)
    return f"assignee={agent.name or agent.email}" if agent else ""


@transaction.atomic
def ticket_escalate(
    *,
    actor: User,
    ticket_id: int,
    reason: str,
    summary: str,
    team: Team | None = None,
    to_supervisor: bool = False,
) -> Ticket:
    """Level 1 to level 2 (or to a supervisor), with a reason and a summary for the specialist.

    The ticket moves to ``team``, else to the level-2 team its team escalates to (see
    ``team_escalation_target``). The summary is an internal note; the level change, the reason
    and the team are in the history. ``to_supervisor`` also flags the ticket for review (added
    to any existing flag, never replacing it), which lists it in the supervisors' "Waiting for
    you", and emails the receiving team's supervisors (``escalation_notify``).
    """
    reason = " ".join((reason or "").split())[:200]
    summary = (summary or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the escalation."), field="reason")
    if not summary:
        raise InvalidInput(_("Write a summary for the specialist."), field="summary")
    if team is not None and team.level < Team.Level.L2:
        raise InvalidInput(_("An escalation goes to a level-2 team."), field="team")
    _require_agent(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    ticket_action_check(
        actor=actor, ticket=ticket, action="escalate_to_supervisor" if to_supervisor else "escalate",
        role_error=_("Only agents can take tickets."),
        state_error=_("A closed ticket cannot be escalated.") if not ticket.is_open
        else _("This ticket is already at level 2."),
    )  # fmt: skip
    target = "supervisor" if to_supervisor else "level 2"
    event = event_record(
        ticket=ticket, actor=actor, field=TicketEvent.Kind.ESCALATION, old="", new=f"{target}: {reason}"
    )
    ticket_agent_message(
        ticket=ticket, actor=actor, internal=True, body=_("Escalation (%(reason)s):\n%(summary)s")
        % {"reason": reason, "summary": summary},
    )  # fmt: skip
    ticket.refresh_from_db()
    changes: dict[str, Any] = {"level": Ticket.Level.L2, "assignee": None}
    # The ticket moves to the level-2 team that receives it, so its specialists get it next.
    target_team = team if team is not None else team_escalation_target(team=ticket.team)
    if target_team is not None:
        changes["team"] = target_team
    if to_supervisor:
        # Stored as a code, read in each reader's language (tickets/review.py).
        flag = review_reason(ESCALATED, reason)
        changes["review_reason"] = review_reason_added(current=ticket.review_reason, reason=flag)
    ticket = ticket_change(ticket=ticket, actor=actor, changes=changes)
    # Who receives it is told on the desk (the notifications app): the event and its "target: reason".
    ticket_changed(
        ticket_id=ticket.pk, kinds=[TicketEvent.Kind.ESCALATION], actor_id=actor.pk,
        values={TicketEvent.Kind.ESCALATION: (None, (event.pk, event.new))},
    )  # fmt: skip
    if to_supervisor:
        escalation_notify(ticket=ticket, event_id=event.pk, reason=reason)
    return ticket


@transaction.atomic
def ticket_deescalate(*, actor: User, ticket_id: int, reason: str, team: Team | None = None) -> Ticket:
    """Undo an escalation: back to level 1, with the reason in the history."""
    if not actor.may_deescalate:  # the receiving side decides (docs/architecture.md, issue 8)
        raise PermissionDenied(_("Only level-2 agents and supervisors can send a ticket back to level 1."))
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise InvalidInput(_("Give the reason for sending the ticket back."), field="reason")
    _require_agent(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    ticket_action_check(
        actor=actor, ticket=ticket, action="deescalate",
        role_error=_("Only level-2 agents and supervisors can send a ticket back to level 1."),
        state_error=_("This ticket is already at level 1."),
    )  # fmt: skip
    event_record(
        ticket=ticket, actor=actor, field=TicketEvent.Kind.ESCALATION, old="level 2", new=f"level 1: {reason}"
    )
    changes: dict[str, Any] = {"level": Ticket.Level.L1, "assignee": None}
    if team is None and ticket.team is not None and ticket.team.level >= Team.Level.L2:
        # Back where the escalation took it from, so level-1 agents get it again.
        team = _team_before_escalation(ticket) or team_default()
    if team is not None:
        changes["team"] = team
    return ticket_change(ticket=ticket, actor=actor, changes=changes)


def _team_before_escalation(ticket: Ticket) -> Team | None:
    """The level-1 team the ticket last moved from into its current team, as its history says."""
    assert ticket.team is not None  # the only caller checks it
    event = (
        TicketEvent.objects.filter(ticket_id=ticket.pk, field=TicketEvent.Kind.TEAM, new=ticket.team.name)
        .order_by("-id")
        .first()
    )
    team = team_get_by_name(name=event.old) if event is not None and event.old else None
    return team if team is not None and team.level == Team.Level.L1 else None
