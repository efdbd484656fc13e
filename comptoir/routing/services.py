from __future__ import annotations

from django.db import IntegrityError, transaction

from comptoir.common.config import invalidate

from .models import Team


@transaction.atomic
def team_get_or_create(*, name: str, level: int = Team.Level.L1) -> Team:
    """Teams are created on first mention (``comptoir agent add --team``), level kept if it exists.

    So that on a fresh install every new ticket reaches a team from its first instant, a new
    team becomes the default team when there is none, whatever its level (an install whose first
    agent is a level-2 supervisor still routes its first tickets); and the first level-1 team
    takes the default over from a level-2 one, since new requests belong at level 1.
    """
    team, created = Team.objects.get_or_create(name=name, defaults={"level": level})
    if not created:
        return team
    current = Team.objects.filter(is_default=True).exclude(pk=team.pk).values_list("level", flat=True).first()
    if current is None or (current != Team.Level.L1 and team.level == Team.Level.L1):
        try:
            with transaction.atomic():  # another team made default at the same instant wins
                Team.objects.filter(is_default=True).exclude(level=Team.Level.L1).update(is_default=False)
                Team.objects.filter(pk=team.pk).update(is_default=True)
                team.is_default = True
                invalidate("routing")
        except IntegrityError:
            team.is_default = False
    return team


@transaction.atomic
def team_set_default(*, team: Team | None) -> None:
    """Make ``team`` the default team (None: no default), in one transaction."""
    others = Team.objects.filter(is_default=True)
    if team is not None:
        others = others.exclude(pk=team.pk)
    others.update(is_default=False)
    if team is not None:
        Team.objects.filter(pk=team.pk).update(is_default=True)
        team.is_default = True
    invalidate("routing")
