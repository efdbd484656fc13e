from __future__ import annotations

from django.db.models import QuerySet

from .models import User


def agent_list() -> QuerySet[User]:
    return User.objects.filter(is_agent=True, is_active=True).order_by("name", "email")


def agent_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email, is_agent=True).first()


def agent_team_ids(*, user: User) -> list[int]:
    return list(user.teams.values_list("id", flat=True))
