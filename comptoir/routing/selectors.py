from __future__ import annotations

from django.db.models import QuerySet

from .models import Team


def team_list() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def team_get_by_name(*, name: str) -> Team | None:
    return Team.objects.filter(name=name).first()


def team_default() -> Team | None:
    """The team that receives new tickets no rule or category sends elsewhere."""
    return Team.objects.filter(is_default=True).first()


def team_level_2_list() -> QuerySet[Team]:
    """The teams an escalation can go to, in the order the desk offers them."""
    return Team.objects.filter(level=Team.Level.L2).order_by("name", "id")


def team_escalation_target(*, team: Team | None) -> Team | None:
    """Where an escalation from ``team`` lands by default: the team's own choice, else the first
    level-2 team; a team that is already level 2 keeps its tickets.
    """
    if team is not None and team.level >= Team.Level.L2:
        return team
    if team is not None and team.escalation_team_id is not None:
        return team.escalation_team
    return team_level_2_list().first()


def team_get(*, team_id: int) -> Team | None:
    return Team.objects.filter(pk=team_id).first()
