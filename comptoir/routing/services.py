from __future__ import annotations

from django.db import transaction

from .models import Team


@transaction.atomic
def team_get_or_create(*, name: str, level: int = Team.Level.L1) -> Team:
    """Teams are created on first mention (``comptoir agent add --team``), level kept if it exists."""
    team, _created = Team.objects.get_or_create(name=name, defaults={"level": level})
    return team
