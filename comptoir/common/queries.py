"""Query helpers for the request path."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet

T = TypeVar("T")


def unique_or_none(queryset: QuerySet[Any, T]) -> T | None:
    """The row of a lookup on a unique key (or None), without ``first()``'s ORDER BY.

    Compiling that ORDER BY against a wide ``select_related`` costs Django more than running the
    query (about half of an authenticated API 404, measured for issue 9); a unique key needs no
    order.
    """
    return next(iter(queryset[:1]), None)


# ``select_for_update(of=ROW_ONLY)`` locks the selected row alone, not the rows it joins:
# PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (a ``select_related`` of a
# nullable foreign key), and an inner-joined customer or ticket need not be held. SQLite ignores it.
ROW_ONLY = ("self",)
