"""Keyset pagination: opaque cursors over an ordering, so page N costs the same as page 1."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from .exceptions import InvalidInput
from .ids import ID_MAX


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, length: int) -> list[Any]:
    from django.utils.translation import gettext as _

    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidInput(_("The page cursor is not valid."), field="cursor") from exc
    if not isinstance(values, list) or len(values) != length:
        raise InvalidInput(_("The page cursor is not valid."), field="cursor")
    return values


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def keyset_filter(fields: list[str], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ascending ``fields`` order (a leading '-' means descending).

    Builds (a > x) OR (a = x AND b > y) OR ..., which composite indexes answer with a range scan.
    """
    condition = Q()
    for i, name in enumerate(fields):
        desc = name.startswith("-")
        column = name.lstrip("-")
        step = Q(**{f"{column}__{'lt' if desc else 'gt'}": values[i]})
        for prev, prev_value in zip(fields[:i], values[:i], strict=False):
            step &= Q(**{prev.lstrip("-"): prev_value})
        condition |= step
    # The same bound on the first column alone, redundant but seekable: the index range starts at
    # the cursor instead of at the beginning (deep pages cost as much as the first).
    first = fields[0]
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    return bound & condition


def _typed(values: list[Any], types: list[Callable[[Any], Any]]) -> list[Any]:
    from django.utils.translation import gettext as _

    try:
        return [convert(value) for convert, value in zip(types, values, strict=True)]
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidInput(_("The page cursor is not valid."), field="cursor") from exc


def cursor_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("not an integer")
    if not -ID_MAX - 1 <= value <= ID_MAX:
        # Past the database's 64-bit integers: a forged cursor, refused like any other.
        raise ValueError("integer out of range")
    return value


def cursor_datetime(value: Any) -> datetime:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError("not an aware ISO datetime")
    return parsed


def cursor_choice(*allowed: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in allowed:
            raise ValueError("not an allowed value")
        return value

    return convert


def keyset_page(
    qs: QuerySet,
    *,
    ordering: list[str],
    cursor: str | None,
    limit: int,
    key: Any,
    types: list[Callable[[Any], Any]],
) -> Page:
    """One page of ``qs`` in ``ordering``; ``key(obj)`` gives the cursor values of a row.

    ``types`` converts each decoded cursor value and refuses a forged one with InvalidInput: a
    cursor comes from the client, so it is input like any other.
    """
    qs = qs.order_by(*ordering)
    if cursor:
        values = _typed(decode_cursor(cursor, length=len(ordering)), types)
        qs = qs.filter(keyset_filter(ordering, values))
    rows = list(qs[: limit + 1])
    items = rows[:limit]
    next_cursor = encode_cursor(key(items[-1])) if len(rows) > limit and items else None
    return Page(items=items, next_cursor=next_cursor)
