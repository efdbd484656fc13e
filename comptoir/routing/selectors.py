from __future__ import annotations

from django.db.models import QuerySet

from .models import Team


def team_list() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def team_get_by_name(*, name: str) -> Team | None:
    return Team.objects.filter(name=name).first()
