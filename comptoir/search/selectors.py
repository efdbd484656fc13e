"""Search: one box for tickets and customers, behind one function for the desk and the API.

``search(actor=..., q=...)`` parses the words and filters (``status:open team:billing
from:a@b.c priority:P1``), asks the database's backend (``backends``) for ranked ids among the
tickets ``ticket_visible_to(actor)`` allows, and builds highlighted snippets from the text as
written. Customers are searched for agents only, and internal notes (and held messages) are
searched and shown only to agents: a customer never reaches them, whatever the route.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import DomainError
from comptoir.customers.models import Customer, Identity
from comptoir.customers.services import normalize_phone
from comptoir.routing.selectors import team_list
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.selectors import ticket_visible_to

from . import backends
from .articles import ArticleHit, article_hits
from .highlight import Marked, highlight
from .text import ParsedQuery, fold, parse_query

MAX_LIMIT = 50
STATUS_ALIASES = {
    "nouveau": "new", "nouvelle": "new", "ouvert": "open", "ouverte": "open", "ouverts": "open",
    "waiting": "waiting_customer", "attente": "waiting_customer", "resolu": "resolved",
    "resolue": "resolved", "solved": "resolved", "ferme": "closed", "fermee": "closed",
}  # fmt: skip
MAX_CUSTOMER_TICKETS = 10_000
PAGE_SIZE = 25  # the desk's results page
MAX_OFFSET = backends.WINDOW  # ranking covers the WINDOW most recent matches: no page past it


@dataclass
class TicketHit:
    ticket: Ticket
    subject_html: SafeString
    snippet_html: SafeString
    snippet_internal: bool  # the snippet comes from an internal note (agents only)
    score: float


@dataclass
class CustomerHit:
    customer: Customer
    name_html: SafeString
    identities_html: list[SafeString]


@dataclass
class SearchResults:
    q: str
    tickets: list[TicketHit] = field(default_factory=list)
    customers: list[CustomerHit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    searched: bool = False  # there was something to search for
    articles: list[ArticleHit] = field(default_factory=list)  # knowledge base (issue 11)
    # Paging of ``tickets`` (issue 10): the first hit's place (0-based) and how many tickets
    # the ranked window holds, counted up to ``backends.WINDOW`` only (``more`` then: "at least").
    offset: int = 0
    total: int = 0
    more: bool = False

    @property
    def has_next(self) -> bool:
        return bool(self.tickets) and self.offset + len(self.tickets) < self.total

    @property
    def next_offset(self) -> int | None:
        return self.offset + len(self.tickets) if self.has_next else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - PAGE_SIZE, 0) if self.offset > 0 else None

    @property
    def first(self) -> int:
        return self.offset + 1 if self.tickets else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.tickets)


def _may_read_internal(actor: User) -> bool:
    return bool(actor.is_active and (actor.is_agent or actor.is_superuser))


def _filters(parsed: ParsedQuery, problems: list[str]) -> tuple[Q, list[int] | None]:
    """The ticket conditions of ``status:``, ``team:``, ``priority:``; ``from:`` as ticket ids.
    A filter that names nothing known is reported in ``problems`` (and then nothing matches)."""
    condition = Q()
    for value in parsed.filters.get("status", []):
        key = STATUS_ALIASES.get(fold(value), fold(value))
        if key == "open":
            condition &= Q(is_open__in=[True])
        elif key in Ticket.Status.values:
            condition &= Q(status=key)
        else:
            problems.append(_("Unknown status: %(value)s") % {"value": value})
    for value in parsed.filters.get("priority", []):
        key = value.upper() if value.upper().startswith("P") else f"P{value}"
        if key in Ticket.Priority.values:
            condition &= Q(priority=key)
        else:
            problems.append(_("Unknown priority: %(value)s") % {"value": value})
    wanted = parsed.filters.get("team", [])
    if wanted:
        teams = list(team_list())
        for value in wanted:
            key = fold(value)
            names = {t.pk: (fold(t.name), slugify(fold(t.name))) for t in teams}
            found = [pk for pk, forms in names.items() if key in forms]
            found = found or [pk for pk, forms in names.items() if any(f.startswith(key) for f in forms)]
            if not found:
                problems.append(_("Unknown team: %(value)s") % {"value": value})
            condition &= Q(team_id__in=found)
    within = None
    for value in parsed.filters.get("from", []):
        forms = _identity_forms(value)
        owners = Identity.objects.filter(kind__in=Identity.Kind.values, value__in=forms)
        customers = set(owners.values_list("customer_id", flat=True))
        if not customers:
            problems.append(_("No customer with the address %(value)s") % {"value": value})
        ids = Ticket.objects.filter(customer_id__in=customers).order_by("-id").values_list("pk", flat=True)
        found_ids = set(ids[:MAX_CUSTOMER_TICKETS])
        within = sorted(found_ids if within is None else found_ids & set(within))
    return condition, within


def _identity_forms(value: str) -> list[str]:
    """The stored forms ``value`` may have (emails as typed or lowercased, phones in E.164): an
    equality on the identities' unique index, where a case-insensitive match reads them all."""
    value = value.strip()
    forms = {value, value.lower()}
    if "@" in value:
        local, _at, domain = value.rpartition("@")
        forms.add(f"{local}@{domain.lower()}")
    elif sum(ch.isdigit() for ch in value) >= 7:
        with contextlib.suppress(DomainError):
            forms.add(normalize_phone(value))
    return sorted(forms)


def search(*, actor: User, q: str, limit: int = 20, offset: int = 0) -> SearchResults:
    """Tickets (subject, messages, reference) and customers (name, email, phone, account)
    matching ``q``, best first, with highlighted snippets; only what ``actor`` may see.
    ``offset``: the page of tickets starting there (customers and articles on the first only)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, min(offset, MAX_OFFSET))
    results = SearchResults(q=q, offset=offset)
    parsed = parse_query(q[:500])
    if not parsed.terms and not parsed.filters:
        return results
    results.searched = True
    if parsed.terms and not parsed.filters and not offset:  # filters are about tickets
        results.articles = article_hits(actor=actor, parsed=parsed, limit=min(limit, 10))
    visible = ticket_visible_to(actor=actor)
    if visible.query.is_empty():
        return results
    internal = _may_read_internal(actor)
    condition, within = _filters(parsed, results.problems)
    if results.problems or within == []:
        return results
    base = visible.filter(condition) if condition else visible
    if parsed.terms:
        hits, results.total = backends.ticket_matches_page(
            parsed,
            restrict=base if base.query.where else None,
            within=within,
            internal=internal,
            limit=limit,
            offset=offset,
        )
    else:
        listed = base.filter(pk__in=within) if within is not None else base
        ids = listed.order_by("-id").values_list("pk", flat=True)
        hits = [(pk, 0.0) for pk in ids[offset : offset + limit]]
        # Counted over at most WINDOW ids (a LIMIT inside the count), never the whole table.
        results.total = ids[: backends.WINDOW].count() if hits else 0
    results.more = results.total >= backends.WINDOW
    results.tickets = _ticket_hits(hits, parsed, internal)
    if parsed.terms and not parsed.filters and internal and not offset:
        results.customers = _customer_hits(backends.customer_matches(parsed, limit=min(limit, 10)), parsed)
    return results


def _ticket_hits(hits: list[tuple[int, float]], parsed: ParsedQuery, internal: bool) -> list[TicketHit]:
    if not hits:
        return []
    ids = [pk for pk, _score in hits]
    tickets = Ticket.objects.select_related("customer", "team", "assignee").in_bulk(ids)
    messages: dict[int, list[Message]] = {}
    fields = ("ticket_id", "kind", "hold", "held_for_id", "body")
    for message in Message.objects.filter(ticket_id__in=ids).order_by("created_at", "id").only(*fields):
        messages.setdefault(message.ticket_id, []).append(message)
    out = []
    for pk, score in hits:
        ticket = tickets.get(pk)
        if ticket is None:
            continue
        readable = [
            m for m in messages.get(pk, [])
            if internal or (m.kind != Message.Kind.INTERNAL and not m.hold and m.held_for_id is None)
        ]  # fmt: skip
        marked = [(m, Marked(m.body, parsed, ticket.language)) for m in readable]
        best = max(marked, key=lambda pair: len(pair[1].spans), default=None)
        if best is not None and not best[1].spans:
            best = marked[0]
        out.append(
            TicketHit(
                ticket=ticket,
                subject_html=highlight(ticket.subject, parsed, ticket.language),
                snippet_html=highlight(best[1], parsed, ticket.language, around=80)
                if best
                else SafeString(""),
                snippet_internal=best is not None and best[0].kind == Message.Kind.INTERNAL,
                score=score,
            )
        )
    return out


def _customer_hits(hits: list[tuple[int, float]], parsed: ParsedQuery) -> list[CustomerHit]:
    if not hits:
        return []
    customers = Customer.objects.prefetch_related("identities").in_bulk([pk for pk, _s in hits])
    out = []
    for pk, _score in hits:
        customer = customers.get(pk)
        if customer is None or customer.merged_into_id is not None:
            continue
        out.append(
            CustomerHit(
                customer=customer,
                name_html=highlight(customer.name or f"#{customer.pk}", parsed, customer.language),
                identities_html=[highlight(i.value, parsed, "en") for i in customer.identities.all()],
            )
        )
    return out
