"""Work lists: the desk's views of tickets (mine, my team's, unassigned, waiting on me, all open,
recently updated, snoozed), their filters and sort orders, their counts, and saved views.

Every list is a keyset page on an indexed ordering (``common.paging``), read through
``tickets.selectors.ticket_visible_to``; the built-in views' counts are sums over the few
``ViewCounter`` rows they cover; a filtered list's count stops at ``COUNT_CAP``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.accounts.models import User
from comptoir.accounts.selectors import agent_get_by_email, agent_list, agent_team_ids
from comptoir.common.config import cached
from comptoir.common.paging import (
    Page,
    cursor_choice,
    cursor_datetime,
    cursor_int,
    encode_cursor,
    keyset_page,
)
from comptoir.customers.selectors import customer_search
from comptoir.tickets.models import Channel, Ticket
from comptoir.tickets.selectors import AWAKE, OPEN, category_get, ticket_visible_to, waiting_for

from .models import SavedView, ViewCounter

MINE, TEAM, UNASSIGNED, WAITING, ALL_OPEN, RECENT = "mine", "team", "unassigned", "waiting", "open", "recent"
# The open tickets asleep until a date (issue 10): every one the agent may see, soonest to wake
# first, so that no snoozed ticket is out of reach; "Assignee: me" narrows it to the agent's own.
SNOOZED = "snoozed"
VIEWS: dict[str, Any] = {
    MINE: _("My tickets"),
    TEAM: _("My team's queue"),
    UNASSIGNED: _("Unassigned"),
    WAITING: _("Waiting on me"),
    ALL_OPEN: _("All open tickets"),
    RECENT: _("Recently updated"),
    SNOOZED: _("Snoozed"),
}
SORT_LABELS: dict[str, Any] = {
    "due": _("Most urgent (due time)"),
    "newest": _("Newest"),
    "oldest": _("Oldest"),
    "updated": _("Recently updated"),
    "priority": _("Priority"),
}
_PRIORITY = cursor_choice(*Ticket.Priority.values)
# Each sort: its ordering and the cursor's value types. Indexes serving them (tickets/models.py):
# due: ticket_queue_due_idx, ticket_open_due_idx, ticket_next_idx, ticket_assignee_open_idx;
# newest/oldest: ticket_open_recent_idx, ticket_team_idx, ticket_assignee_idx (read backwards for
# oldest); updated and priority have none yet (see bench/results/worklists.md).
SORTS: dict[str, tuple[list[str], list[Callable[[Any], Any]]]] = {
    "due": (["due_at", "priority", "id"], [cursor_datetime, _PRIORITY, cursor_int]),
    "newest": (["-id"], [cursor_int]),
    "oldest": (["id"], [cursor_int]),
    "updated": (["-updated_at", "-id"], [cursor_datetime, cursor_int]),
    "priority": (["priority", "due_at", "id"], [_PRIORITY, cursor_datetime, cursor_int]),
    # Only in the snoozed view, where every ticket has a wake time: ticket_snoozed_idx.
    "wake": (["snoozed_until", "id"], [cursor_datetime, cursor_int]),
}
WAKE_SORT = "wake"
SLA_STATES: dict[str, Any] = {
    "due_soon": pgettext_lazy("SLA state", "Due soon"),
    "breached": pgettext_lazy("SLA state", "Breached"),
}
DUE_SOON = timedelta(hours=2)
COUNT_CAP = 1000
_LANGUAGE = re.compile(r"^[a-z]{2,8}$")


@dataclass(frozen=True)
class WorklistQuery:
    """One work list as the URL says it: a view, filters and a sort. Unknown values are dropped."""

    view: str = MINE
    status: str = ""
    priority: str = ""
    team: int | None = None
    assignee: str = ""  # "me", "none" or an agent's email
    category: str = ""
    channel: str = ""
    language: str = ""
    sla: str = ""
    level: int | None = None
    sort: str = ""

    @property
    def order(self) -> str:
        """The sort in effect: the one asked for, else recently updated for that view, soonest to
        wake for the snoozed one, else due."""
        if self.sort:
            return self.sort
        return {RECENT: "updated", SNOOZED: WAKE_SORT}.get(self.view, "due")

    @property
    def filtered(self) -> bool:
        return any(
            getattr(self, f.name) not in ("", None) for f in fields(self) if f.name not in ("view", "sort")
        )

    def params(self) -> dict[str, str]:
        """The non-empty parameters, in a stable order: what goes into links and saved views."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in ("", None):
                out[f.name] = str(value)
        return out

    def querystring(self, **extra: str) -> str:
        return urlencode({**self.params(), **extra})


def _int(value: str | None, allowed: Callable[[int], bool]) -> int | None:
    # ASCII digits only: "²" passes isdigit() yet int() refuses it.
    if value and value.isascii() and value.isdecimal() and len(value) < 19 and allowed(int(value)):
        return int(value)
    return None


def worklist_query_parse(params: Mapping[str, Any] | str) -> WorklistQuery:
    """A ``WorklistQuery`` from GET parameters or a query string; a value that is not one of the
    choices is ignored. The old ``scope=all`` / ``scope=team`` links still work."""
    if isinstance(params, str):
        params = dict(parse_qsl(params))
    get = lambda name: str(params.get(name) or "").strip()  # noqa: E731
    # The old links: ``scope=all`` was every open ticket, any other scope the team's queue.
    view = get("view") or (MINE if "scope" not in params else ALL_OPEN if get("scope") == "all" else TEAM)
    assignee = get("assignee")
    if assignee not in ("me", "none") and ("@" not in assignee or len(assignee) > 254):
        assignee = ""
    category = get("category")
    sort = get("sort") if get("sort") in SORTS else ""
    if sort == WAKE_SORT and view != SNOOZED:  # only snoozed tickets have a wake time to sort on
        sort = ""
    return WorklistQuery(
        view=view if view in VIEWS else MINE,
        status=get("status") if get("status") in Ticket.Status.values else "",
        priority=get("priority") if get("priority") in Ticket.Priority.values else "",
        team=_int(get("team"), lambda n: n > 0),
        assignee=assignee.lower(),
        category=category if re.fullmatch(r"[-a-zA-Z0-9_]{1,50}", category) else "",
        channel=get("channel") if get("channel") in Channel.values else "",
        language=get("language") if _LANGUAGE.match(get("language")) else "",
        sla=get("sla") if get("sla") in SLA_STATES else "",
        level=_int(get("level"), lambda n: n in Ticket.Level.values),
        sort=sort,
    )


def _scope(*, actor: User, query: WorklistQuery) -> tuple[QuerySet[Ticket], list[int] | None]:
    """The tickets of ``query`` before sorting, and the teams to page one by one (None: no split).

    Views over the agent's teams page each team on its own index range and merge the pages
    (as ``tickets.selectors.ticket_queue``): ``team_id IN (...)`` would sort all their tickets.
    """
    qs = ticket_visible_to(actor=actor)
    teams: list[int] | None = None
    # The active lists leave snoozed tickets out until they wake, as the queue does.
    if query.view == MINE:
        qs = qs.filter(assignee_id=actor.pk, **OPEN, **AWAKE)
    elif query.view in (TEAM, UNASSIGNED):
        teams = sorted(set(agent_team_ids(user=actor)))
        qs = qs.filter(**OPEN, **AWAKE)
        if query.view == UNASSIGNED:
            qs = qs.filter(assignee__isnull=True)
    elif query.view in (ALL_OPEN, WAITING):
        qs = qs.filter(**OPEN, **AWAKE)
    elif query.view == SNOOZED:
        # A bare ``is_open`` (not ``OPEN``): SQLite then reads the few snoozed rows from the
        # partial ``ticket_snoozed_idx`` in wake order, not every open ticket to sort them.
        qs = qs.filter(snoozed_until__isnull=False, is_open=True)
    if query.team is not None:
        teams = [query.team] if teams is None or query.team in teams else []
    if query.status:
        qs = qs.filter(status=query.status)
    if query.priority:
        qs = qs.filter(priority=query.priority)
    if query.assignee == "me":
        qs = qs.filter(assignee_id=actor.pk)
    elif query.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif query.assignee:
        agent = agent_get_by_email(email=query.assignee)
        qs = qs.filter(assignee_id=agent.pk) if agent else qs.none()
    if query.category:
        category = category_get(slug=query.category)
        qs = qs.filter(category_id=category.pk) if category else qs.none()
    if query.channel:
        qs = qs.filter(channel=query.channel)
    if query.language:
        qs = qs.filter(language=query.language)
    if query.sla == "breached":
        qs = qs.filter(sla_breached=True)
    elif query.sla == "due_soon":
        qs = qs.filter(due_at__lt=timezone.now() + DUE_SOON, sla_breached=False)
    if query.level is not None:
        qs = qs.filter(level=query.level)
    return qs, teams


def _cursor_key(ordering: list[str]) -> Callable[[Ticket], list[Any]]:
    def key(ticket: Ticket) -> list[Any]:
        values = [getattr(ticket, name.lstrip("-")) for name in ordering]
        return [v.isoformat() if isinstance(v, datetime) else v for v in values]

    return key


def _merge_key(ordering: list[str]) -> Callable[[Ticket], tuple]:
    """A key sorting tickets in ``ordering`` in Python, to merge per-team pages."""

    def key(ticket: Ticket) -> tuple:
        out: list[Any] = []
        for name in ordering:
            value = getattr(ticket, name.lstrip("-"))
            if name.startswith("-"):
                value = -value.timestamp() if isinstance(value, datetime) else -value
            out.append(value)
        return tuple(out)

    return key


def _reversed(ordering: list[str]) -> list[str]:
    return [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]


def _page(
    qs: QuerySet[Ticket],
    teams: list[int] | None,
    *,
    ordering: list[str],
    types: list,
    cursor: str | None,
    limit: int,
) -> Page:
    qs = qs.select_related("customer", "team", "assignee")
    key = _cursor_key(ordering)

    def one(queryset: QuerySet[Ticket]) -> Page:
        return keyset_page(queryset, ordering=ordering, cursor=cursor, limit=limit, key=key, types=types)

    if teams is None:
        return one(qs)
    if len(teams) == 1:
        return one(qs.filter(team_id=teams[0]))
    pages = [one(qs.filter(team_id=team_id)) for team_id in teams]
    rows = sorted((t for p in pages for t in p.items), key=_merge_key(ordering))
    items = rows[:limit]
    more = len(rows) > limit or any(p.next_cursor for p in pages)
    return Page(items=items, next_cursor=encode_cursor(key(items[-1])) if more and items else None)


def worklist_page(*, actor: User, query: WorklistQuery, cursor: str | None = None, limit: int = 25) -> Page:
    """One page of a work list, in its sort order; a forged cursor raises InvalidInput."""
    qs, teams = _scope(actor=actor, query=query)
    ordering, types = SORTS[query.order]
    return _page(qs, teams, ordering=ordering, types=types, cursor=cursor, limit=limit)


def worklist_neighbours(
    *, actor: User, query: WorklistQuery, ticket: Ticket
) -> tuple[str | None, str | None]:
    """The references of the tickets before and after ``ticket`` in the list (None at either end).

    Read from where the ticket sits in the order now, so it works even once the ticket has left
    the list (handed over, say); a change of its sort key (resolved: no due time) moves it.
    """
    if query.view == WAITING:
        return None, None
    qs, teams = _scope(actor=actor, query=query)
    ordering, types = SORTS[query.order]
    at = encode_cursor(_cursor_key(ordering)(ticket))
    after = _page(qs, teams, ordering=ordering, types=types, cursor=at, limit=1).items
    back = _reversed(ordering)
    before = _page(qs, teams, ordering=back, types=types, cursor=at, limit=1).items
    return (before[0].reference if before else None), (after[0].reference if after else None)


def worklist_counts(*, actor: User) -> dict[str, int]:
    """The built-in views' counts: one query summing ``ViewCounter`` rows (never the tickets).

    The active views leave snoozed tickets out, as their lists do; ``snoozed`` counts the open
    tickets asleep, ``recent`` every ticket (its list shows them all).

    ``waiting`` is not counted here: it is the bounded ``waiting_for`` lists' length.
    """
    teams = actor.teams.values("pk")  # a subquery: no query of its own
    open_rows = Q(is_open=True, is_snoozed=False)
    sums = ViewCounter.objects.aggregate(
        mine=Sum("count", filter=open_rows & Q(assignee_key=actor.pk)),
        team=Sum("count", filter=open_rows & Q(team_key__in=teams)),
        unassigned=Sum("count", filter=open_rows & Q(team_key__in=teams, assignee_key=0)),
        open=Sum("count", filter=open_rows),
        recent=Sum("count"),
        snoozed=Sum("count", filter=Q(is_open=True, is_snoozed=True)),
    )
    return {name: int(value or 0) for name, value in sums.items()}


def worklist_count_bounded(*, actor: User, query: WorklistQuery) -> tuple[int, bool]:
    """A filtered list's count, reading at most ``COUNT_CAP`` + 1 rows: (count, more than the cap)."""
    qs, teams = _scope(actor=actor, query=query)
    if teams is not None:
        qs = qs.filter(team_id__in=teams)
    n = qs.order_by()[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def worklist_waiting(*, actor: User) -> dict[str, list]:
    """What waits for the agent's decision (``tickets.selectors.waiting_for``), bounded."""
    return waiting_for(actor=actor)


def saved_views_for(*, actor: User, limit: int = 100) -> list[SavedView]:
    """The agent's own saved views and the shared ones, by name."""
    if not (actor.is_active and (actor.is_agent or actor.is_superuser)):
        return []
    return list(
        SavedView.objects.filter(Q(owner=actor) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")[:limit]
    )


SUGGEST_LIMIT = 10


def agent_suggest(*, actor: User, q: str, limit: int = SUGGEST_LIMIT) -> list[User]:
    """Active agents whose name or email contains ``q``, at most ``limit``: the desk's autocomplete.

    Only agents may look people up; anyone else gets nothing.
    """
    if not (actor.is_active and (actor.is_agent or actor.is_superuser)):
        return []
    q = " ".join((q or "").split())[:100]
    qs = agent_list()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    return list(qs.only("id", "name", "email")[: max(1, min(limit, SUGGEST_LIMIT))])


def customer_suggest(*, actor: User, q: str, limit: int = SUGGEST_LIMIT) -> list:
    """Customers matching ``q`` (phone, email, account number or name), at most ``limit``; agents
    only, and nothing for fewer than two characters (never a list of every customer)."""
    q = " ".join((q or "").split())[:100]
    if not (actor.is_active and (actor.is_agent or actor.is_superuser)) or len(q) < 2:
        return []
    return customer_search(q=q, limit=max(1, min(limit, SUGGEST_LIMIT)))


def filter_choices() -> dict[str, list[tuple]]:
    """Teams ``(id, name)`` and categories ``(slug, English name, French name)`` for the filters,
    kept per process until an administrator changes them (``common.config``'s "routing")."""

    def load() -> dict[str, list[tuple]]:
        from comptoir.routing.selectors import team_list
        from comptoir.tickets.selectors import category_list

        return {
            "teams": [(t.pk, t.name) for t in team_list()],
            "categories": [(c.slug, c.name_en, c.name_fr) for c in category_list()],
        }

    return cached("routing", load, key="worklist-filters")
