"""Ticket reads. Visibility is applied here, never in views."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import InvalidInput, NotFound
from comptoir.common.paging import (
    Page,
    cursor_choice,
    cursor_datetime,
    cursor_int,
    encode_cursor,
    keyset_page,
)
from comptoir.common.queries import unique_or_none
from comptoir.customers.models import Customer

from .models import Attachment, Message, Ticket, TicketEvent

QUEUE_ORDER = ["due_at", "priority", "id"]
# Not ``is_open=True``: Django writes that as a bare ``WHERE is_open`` on SQLite, which no index
# can serve; ``IN (true)`` is an equality the composite queue indexes answer.
OPEN = {"is_open__in": [True]}
# The active lists leave snoozed tickets out until they wake (issue 10): a filter on the rows the
# queue indexes already return, and few tickets are snoozed at any time.
AWAKE = {"snoozed_until__isnull": True}
LIST_ORDER = ["-id"]


def ticket_visible_to(*, actor: User) -> QuerySet[Ticket]:
    """Agents see every ticket (issue 2 default); anyone else sees none through this door."""
    if actor.is_active and (actor.is_agent or actor.is_superuser):
        return Ticket.objects.all()
    return Ticket.objects.none()


def ticket_get(*, actor: User, reference: str) -> Ticket:
    ticket = unique_or_none(
        ticket_visible_to(actor=actor)
        .select_related("customer", "team", "assignee", "category", "linked_to", "sla_policy")
        .filter(reference=reference)
    )
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return ticket


def ticket_id_get(*, actor: User, reference: str) -> int:
    """The id of a ticket the actor may see, for a write that loads (and locks) it itself:
    one narrow query instead of ``ticket_get``'s joins."""
    pk = unique_or_none(
        ticket_visible_to(actor=actor).filter(reference=reference).values_list("pk", flat=True)
    )
    if pk is None:
        raise NotFound(_("No such ticket."))
    return pk


def ticket_list(
    *,
    actor: User,
    status: str | None = None,
    team_id: int | None = None,
    assignee_id: int | None = None,
    customer_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    if status and status != "open" and status not in Ticket.Status.values:
        raise InvalidInput(_("Unknown status."), field="status")
    qs = ticket_visible_to(actor=actor).select_related(
        "customer", "team", "assignee", "category", "sla_policy"
    )
    if status == "open":
        qs = qs.filter(**OPEN)
    elif status:
        qs = qs.filter(status=status)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return keyset_page(
        qs, ordering=LIST_ORDER, cursor=cursor, limit=limit, key=lambda t: [t.pk], types=[cursor_int]
    )


def ticket_queue(
    *, actor: User, team_ids: list[int] | None, cursor: str | None = None, limit: int = 50
) -> Page:
    """Open tickets of the given teams (None: all), most urgent first (SLA due time, then priority).

    Each team's page is one range scan of ``ticket_queue_due_idx``; several teams are merged here
    rather than with ``team_id IN (...)``, which would make the database sort every open ticket
    of those teams for each page.
    """
    qs = ticket_visible_to(actor=actor).filter(**OPEN, **AWAKE).select_related("customer", "team", "assignee")

    def page_of(queryset):  # type: ignore[no-untyped-def]
        return keyset_page(
            queryset,
            ordering=QUEUE_ORDER,
            cursor=cursor,
            limit=limit,
            key=_queue_key,
            types=[cursor_datetime, cursor_choice(*Ticket.Priority.values), cursor_int],
        )

    if team_ids is None:
        return page_of(qs)
    pages = [page_of(qs.filter(team_id=team_id)) for team_id in sorted(set(team_ids))]
    if len(pages) == 1:
        return pages[0]
    rows = sorted((t for p in pages for t in p.items), key=lambda t: (t.due_at, t.priority, t.pk))
    items = rows[:limit]
    more = len(rows) > limit or any(p.next_cursor for p in pages)
    return Page(items=items, next_cursor=encode_cursor(_queue_key(items[-1])) if more and items else None)


def _queue_key(ticket: Ticket) -> list:
    return [ticket.due_at.isoformat(), ticket.priority, ticket.pk]


def ticket_messages(*, ticket: Ticket, public_only: bool) -> list[Message]:
    qs = ticket.messages.select_related("author", "held_for").prefetch_related(
        "configuration_items", Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if public_only:
        # Internal notes, replies still waiting for a senior's approval, and messages held because
        # nothing proved their sender (issue 8), never reach customers.
        qs = qs.exclude(kind=Message.Kind.INTERNAL).filter(held_for__isnull=True, hold=Message.Hold.NONE)
    return list(qs.order_by("created_at", "id"))


WAITING_LIMIT = 20
# Held emails wait for a decision each, so few are held at once; an agent's are among these.
EMAIL_WINDOW = 200


def waiting_for(*, actor: User, limit: int = WAITING_LIMIT) -> dict[str, list]:
    """What waits for this agent's decision, newest first, at most ``limit`` of each kind.

    ``replies``: replies held for their approval (pairing; supervisors: every held reply).
    ``emails``: emails held because nothing proved their sender, and ``flagged``: open tickets
    flagged for review (``review_reason``, e.g. an escalation to a supervisor), both in the
    agent's teams (supervisors: all). ``escalated``: open level-2 tickets nobody holds in a
    level-2 agent's own teams, as an escalation leaves them (issue 10). Four
    bounded queries on small (partial) indexes (``message_held_idx`` or the held-for key,
    ``message_unproven_idx``, ``ticket_flagged_idx``, ``ticket_next_idx``);
    no count. Held emails are read from their own index, newest ``EMAIL_WINDOW`` first, and kept
    for the agent's teams here: joined on the team, SQLite would walk every message of the team.
    """
    if not (actor.is_active and (actor.is_agent or actor.is_superuser)):
        return {"replies": [], "emails": [], "flagged": [], "escalated": []}
    replies = Message.objects.filter(held_for__isnull=False)
    emails = Message.objects.filter(hold=Message.Hold.UNPROVEN)
    # A snoozed ticket waits in the "Snoozed" view until it wakes, as it leaves the active lists
    # (issue 10); held replies and emails stay: they are decisions on messages, not the ticket's.
    flagged = Ticket.objects.filter(**OPEN, **AWAKE).exclude(review_reason="")
    # Escalations to the agent's level-2 teams that nobody holds yet (an escalation leaves the
    # ticket unassigned in the receiving team; it never names a person). Those flagged for a
    # supervisor are in ``flagged`` already.
    escalated = Ticket.objects.filter(
        **OPEN, **AWAKE, level=Ticket.Level.L2, assignee__isnull=True, review_reason=""
    )
    # Level-2 work, in the agent's own teams, supervisors included (theirs is ``flagged``).
    if actor.level >= actor.Level.L2:
        escalated = escalated.filter(team_id__in=actor.teams.values("pk"))
    else:
        escalated = escalated.none()
    if not actor.supervises:
        teams = actor.teams.values("pk")
        replies = replies.filter(held_for_id=actor.pk)
        flagged = flagged.filter(team_id__in=teams)
    # Only the columns the list shows: building these joins over every column of tickets, users
    # and messages cost more than running them (the desk's first page at 1M tickets).
    ticket_cols = ("ticket__reference", "ticket__subject", "ticket__team_id")
    held = list(
        emails.select_related("ticket")
        .only("id", "ticket_id", *ticket_cols)
        .order_by("-id")[: limit if actor.supervises else EMAIL_WINDOW]
    )
    team_ids = set() if actor.supervises else set(actor.teams.values_list("pk", flat=True))
    people = ("author__name", "author__email", "held_for__name", "held_for__email")
    return {
        "replies": list(
            replies.select_related("ticket", "author", "held_for")
            .only("id", "ticket_id", "author_id", "held_for_id", *ticket_cols, *people)
            .order_by("-id")[:limit]
        ),
        "emails": [m for m in held if actor.supervises or m.ticket.team_id in team_ids][:limit],
        "flagged": list(flagged.only("id", "reference", "subject", "review_reason").order_by("-id")[:limit]),
        # In "Next ticket" order (``ticket_next_idx``: team, open, unassigned, due time).
        "escalated": list(
            escalated.only("id", "reference", "subject").order_by("due_at", "priority", "id")[:limit]
        ),
    }


def held_changes_described(*, kept: dict) -> str:
    """A held reply's waiting changes (``Message.held_changes``) in the reader's language:
    "Status: Resolved, Team: Billing"."""
    from comptoir.routing.selectors import team_get

    parts = []
    for name in ("status", "priority", "team"):
        if name not in kept:
            continue
        value = kept[name]
        if name == "status" and value in Ticket.Status.values:
            shown = str(Ticket.Status(value).label)
        elif name == "priority" and value in Ticket.Priority.values:
            shown = str(Ticket.Priority(value).label)
        elif name == "team":
            team = team_get(team_id=value) if value else None
            shown = team.name if team is not None else _("no team")
        else:
            shown = str(value)
        labels = {"status": _("Status"), "priority": _("Priority"), "team": _("Team")}
        parts.append(_("%(field)s: %(value)s") % {"field": labels[name], "value": shown})
    return ", ".join(parts)


def ticket_history(*, ticket: Ticket) -> list[TicketEvent]:
    """Oldest first, each event's ``sentence`` ready in the current language (names fetched once)."""
    from .history import history_sentences

    return history_sentences(list(ticket.events.order_by("id")))


def ticket_for_thread(
    *,
    ticket_id: int | None = None,
    message_ids: list[str] | None = None,
    reference: str | None = None,
    customer_id: int | None = None,
    channel: str | None = None,
) -> Ticket | None:
    """The ticket an inbound message names, strongest hint first; None when it names none.

    Hints, in order: a verified reply address, Message-IDs we received or sent, the reference in
    the subject, and for conversational channels the customer's open ticket on that channel. A
    merged ticket's messages go to the survivor (issue 10).
    """
    found = _ticket_for_thread(
        ticket_id=ticket_id, message_ids=message_ids, reference=reference,
        customer_id=customer_id, channel=channel,
    )  # fmt: skip
    return ticket_survivor(ticket=found) if found is not None else None


def ticket_survivor(*, ticket: Ticket) -> Ticket:
    """The ticket a merged one lives on in (following merges of merges); itself when not merged."""
    for _hop in range(10):
        if ticket.merged_into_id is None:
            break
        ticket = Ticket.objects.select_related("customer").get(pk=ticket.merged_into_id)
    return ticket


def _ticket_for_thread(
    *,
    ticket_id: int | None,
    message_ids: list[str] | None,
    reference: str | None,
    customer_id: int | None,
    channel: str | None,
) -> Ticket | None:
    from datetime import timedelta

    from django.utils import timezone

    from comptoir.outbox.selectors import delivery_ticket_ids

    base = Ticket.objects.select_related("customer")
    if ticket_id is not None:
        found = unique_or_none(base.filter(pk=ticket_id))
        if found is not None:
            return found
    if message_ids:
        # One statement for the common case (a reply to a message we received).
        known = Message.objects.filter(external_id__in=message_ids).values("ticket_id")[:1]
        found = unique_or_none(base.filter(pk__in=known))
        if found is not None:
            return found
        found = unique_or_none(base.filter(pk__in=delivery_ticket_ids(message_ids=message_ids)))
        if found is not None:
            return found
    if reference:
        found = unique_or_none(base.filter(reference=reference))
        if found is not None:
            return found
    if customer_id is not None and channel:
        recent = timezone.now() - timedelta(days=7)
        return (
            base.filter(customer_id=customer_id, channel=channel, updated_at__gte=recent, **OPEN)
            .order_by("-updated_at")
            .first()
        )
    return None


def ticket_for_tracking(*, uid: uuid.UUID) -> Ticket:
    ticket = unique_or_none(Ticket.objects.select_related("customer").filter(tracking_uid=uid))
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return ticket


def customer_tickets(*, customer_id: int, exclude_id: int | None = None, limit: int = 20) -> list:
    qs = Ticket.objects.filter(customer_id=customer_id).order_by("-id")
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs[:limit])


def customer_open_ticket(*, customer_id: int, exclude_id: int | None = None) -> Ticket | None:
    """The customer's latest open ticket (its id and reference only), through the customer index."""
    qs = Ticket.objects.filter(customer_id=customer_id, is_open=True).order_by("-id").only("id", "reference")
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return next(iter(qs[:1]), None)


def attachment_for_agent(*, actor: User, attachment_id: int) -> Attachment:
    att = (
        Attachment.objects.filter(pk=attachment_id, ticket__in=ticket_visible_to(actor=actor))
        .select_related("message")
        .first()
    )
    if att is None:
        raise NotFound(_("No such file."))
    return att


def attachment_for_tracking(*, uid: uuid.UUID, attachment_id: int) -> Attachment:
    """A file of this ticket that the customer may see (never one on an internal note)."""
    att = (
        Attachment.objects.filter(pk=attachment_id, ticket__tracking_uid=uid)
        .exclude(message__kind=Message.Kind.INTERNAL)
        .filter(message__held_for__isnull=True, message__hold=Message.Hold.NONE)
        .first()
    )
    if att is None:
        raise NotFound(_("No such file."))
    return att


def category_get(*, slug: str):  # type: ignore[no-untyped-def]
    from .models import Category

    return Category.objects.filter(slug=slug).first()


def category_list():  # type: ignore[no-untyped-def]
    from .models import Category

    return list(Category.objects.order_by("slug"))


def customer_timeline(*, customer_id: int, limit: int = 200) -> tuple[list[Ticket], list[Message]]:
    """A customer's tickets (open ones first) and every message on them, across channels, in time order.

    Internal notes are included: this is the agents' view.
    """
    tickets = list(
        Ticket.objects.filter(customer_id=customer_id)
        .select_related("team", "assignee", "sla_policy")
        .order_by("-is_open", "-updated_at", "-id")[:100]
    )
    messages = list(
        Message.objects.filter(ticket__customer_id=customer_id)
        .select_related("ticket", "author")
        .order_by("-created_at", "-id")[:limit]
    )
    messages.reverse()
    return tickets, messages


# --- The customer's own requests ("My requests", issue 10) --------------------------------------


def ticket_visible_to_customer(*, customer: Customer, own_only: bool = False) -> QuerySet[Ticket]:
    """A signed-in customer's tickets; with their organisation's when it shares them (read only:
    ``own_only`` for what they may change)."""
    from django.db.models import Q

    condition = Q(customer_id=customer.pk)
    org = customer.organisation
    if not own_only and org is not None and org.share_requests:
        condition |= Q(customer__organisation_id=org.pk)
    return Ticket.objects.filter(condition)


# What a customer sees change on their request: its status, a reply once approved, a held email
# once accepted (the message itself then counts), a merge; never a note, a held reply, a team.
CUSTOMER_SEEN_EVENTS = (
    TicketEvent.Kind.STATUS,
    TicketEvent.Kind.REPLY_APPROVED,
    TicketEvent.Kind.MERGED,
    TicketEvent.Kind.MERGED_INTO,
)


def with_customer_update(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate ``customer_updated_at``: the last change the customer can see (their messages,
    replies sent to them, status changes), not ``updated_at``, which also moves for internal
    work (a held reply, a note, a reassignment). Two indexed subqueries per row of a page."""
    from django.db.models import F, OuterRef, Subquery
    from django.db.models.functions import Coalesce, Greatest

    message = (
        Message.objects.filter(ticket_id=OuterRef("pk"), held_for__isnull=True, hold=Message.Hold.NONE)
        .exclude(kind=Message.Kind.INTERNAL)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    event = (
        TicketEvent.objects.filter(ticket_id=OuterRef("pk"), field__in=CUSTOMER_SEEN_EVENTS)
        .order_by("-id")
        .values("created_at")[:1]
    )
    # Coalesce each: on SQLite GREATEST is NULL as soon as one argument is.
    return qs.annotate(
        customer_updated_at=Greatest(
            F("created_at"),
            Coalesce(Subquery(message), F("created_at")),
            Coalesce(Subquery(event), F("created_at")),
        )
    )


def customer_requests(*, customer: Customer, cursor: str | None = None, limit: int = 20) -> Page:
    """The customer's requests (and their organisation's if shared), newest first, by pages;
    each with ``customer_updated_at`` (``with_customer_update``)."""
    qs = with_customer_update(ticket_visible_to_customer(customer=customer).select_related("customer"))
    return keyset_page(
        qs, ordering=LIST_ORDER, cursor=cursor, limit=limit, key=lambda t: [t.pk], types=[cursor_int]
    )


def customer_request_get(*, customer: Customer, reference: str, own_only: bool = False) -> Ticket:
    """One request the customer may see (``own_only``: may change); NotFound otherwise, the same
    answer as a reference that does not exist."""
    ticket = unique_or_none(
        with_customer_update(ticket_visible_to_customer(customer=customer, own_only=own_only))
        .select_related("customer")
        .filter(reference=reference)
    )
    if ticket is None:
        raise NotFound(_("No such request."))
    return ticket


def attachment_for_customer(*, customer: Customer, ticket_id: int, attachment_id: int) -> Attachment:
    """A file the customer may see on a request they may see (never one on an internal note)."""
    att = (
        Attachment.objects.filter(
            pk=attachment_id, ticket_id=ticket_id, ticket__in=ticket_visible_to_customer(customer=customer)
        )
        .exclude(message__kind=Message.Kind.INTERNAL)
        .filter(message__held_for__isnull=True, message__hold=Message.Hold.NONE)
        .first()
    )
    if att is None:
        raise NotFound(_("No such file."))
    return att


AGENT_PRESENT_WINDOW_MINUTES = 10


def chat_agent_present(*, ticket: Ticket) -> bool:
    """Whether an agent is with the customer in a chat: the ticket is assigned and an agent
    replied publicly within the last few minutes (the chat page shows it)."""
    from datetime import timedelta

    from django.utils import timezone

    if ticket.assignee_id is None or not ticket.is_open:
        return False
    since = timezone.now() - timedelta(minutes=AGENT_PRESENT_WINDOW_MINUTES)
    return ticket.messages.filter(
        kind=Message.Kind.PUBLIC, held_for__isnull=True, created_at__gte=since
    ).exists()
