"""Notification reads: the bell, the list, the preferences, presence, the live pages' stamps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.utils import timezone

from comptoir.accounts.models import User
from comptoir.tickets.models import Message, Ticket, TicketEvent
from comptoir.tickets.selectors import ticket_visible_to

from .models import Notification, NotificationSetting, Presence
from .services import PRESENCE_TTL

# The bell says "99+" past this.
UNREAD_CAP = 99
LIST_LIMIT = 50


def notification_list(*, user: User, limit: int = LIST_LIMIT) -> list[Notification]:
    """The user's latest notifications, newest first, with their tickets."""
    return list(
        Notification.objects.filter(recipient=user)
        .select_related("ticket")
        .only(
            "id",
            "kind",
            "actor_label",
            "detail",
            "created_at",
            "read_at",
            "link",
            "ticket__reference",
            "ticket__subject",
        )
        .order_by("-id")[:limit]
    )


def email_kinds(*, user: User) -> set[str]:
    """The kinds this user also receives by email (none by default: the desk only)."""
    return set(NotificationSetting.objects.filter(user=user, email=True).values_list("kind", flat=True))


def may_see(*, user: User, ticket_id: int) -> bool:
    """Notifications and presence only ever reach people allowed to see the ticket."""
    return ticket_visible_to(actor=user).filter(pk=ticket_id).exists()


def presence_for_tickets(*, actor: User, ticket_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Who else has each ticket open now (seen within the last 30 s): name and whether writing.

    Empty for tickets the actor may not see."""
    ids = list(ticket_visible_to(actor=actor).filter(pk__in=list(ticket_ids)).values_list("pk", flat=True))
    if not ids:
        return {}
    rows = (
        Presence.objects.filter(ticket_id__in=ids, seen_at__gte=timezone.now() - PRESENCE_TTL)
        .exclude(user_id=actor.pk)
        .select_related("user")
        .only("ticket_id", "writing", "user__name", "user__email")
        .order_by("ticket_id", "user_id")
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for p in rows:
        out.setdefault(p.ticket_id, []).append({"name": p.user.name or p.user.email, "writing": p.writing})
    return out


def presence_stamp(people: list[dict[str, Any]]) -> str:
    """A short text that changes when who is there (or writing) changes."""
    return "|".join(f"{p['name']}:{int(p['writing'])}" for p in people)


def desk_stamp() -> str:
    """Changes whenever any ticket changes: the newest ticket, event and message ids.

    Three reads of a primary key's end, whatever the size of the tables; every change of a ticket
    writes an event or a message (a field change, a reply, an assignment, an SLA alert), or a
    new ticket.
    """
    ticket = Ticket.objects.aggregate(m=Max("id"))["m"] or 0
    event = TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0
    message = Message.objects.aggregate(m=Max("id"))["m"] or 0
    return f"{ticket}.{event}.{message}"


def messages_since(*, ticket: Ticket, after_id: int, actor: User) -> list[Message]:
    """What a reply must not ignore, written after message ``after_id`` (the newest on the page
    when it was loaded): the customer's messages and other agents' public replies."""
    qs = (
        Message.objects.filter(ticket_id=ticket.pk, id__gt=after_id)
        .exclude(kind=Message.Kind.INTERNAL)
        .exclude(kind=Message.Kind.PUBLIC, author_id=actor.pk)
        .exclude(hold=Message.Hold.REJECTED)
        .select_related("author")
        .order_by("id")
    )
    return list(qs[:20])


def last_message_id(*, ticket: Ticket) -> int:
    return Message.objects.filter(ticket_id=ticket.pk).aggregate(m=Max("id"))["m"] or 0


def held_replies(*, actor: User, limit: int = LIST_LIMIT) -> list[Message]:
    """Replies waiting for this senior's approval (supervisors: every held reply), oldest first:
    the customer has waited longest for those."""
    qs = Message.objects.filter(held_for__isnull=False)
    if not actor.supervises:
        qs = qs.filter(held_for_id=actor.pk)
    visible = ticket_visible_to(actor=actor).values("pk")
    return list(
        qs.filter(ticket_id__in=visible).select_related("ticket", "author", "held_for").order_by("id")[:limit]
    )


def approvals_open(*, user: User) -> bool:
    """Whether this agent has an approvals list: a supervisor (any held reply), a senior paired
    with a junior, or anyone a reply still waits for (a pairing ended since). One query at most."""
    if user.supervises:
        return True
    if not user.is_active:
        return False
    return (
        User.objects.filter(pk=user.pk)
        .filter(
            Exists(User.objects.filter(mentor_id=OuterRef("pk")))
            | Exists(Message.objects.filter(held_for_id=OuterRef("pk")))
        )
        .exists()
    )


def unread_label(count: int) -> str:
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


def presence_by_reference(*, actor: User, references: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Who else is on each of these tickets (by reference, as a list page names them)."""
    refs = list(references)
    ids = dict(ticket_visible_to(actor=actor).filter(reference__in=refs).values_list("pk", "reference"))
    if not ids:
        return {}
    by_id = presence_for_tickets(actor=actor, ticket_ids=ids.keys())
    return {ids[pk]: people for pk, people in by_id.items()}


def list_presence_stamp(presence: dict[str, list[dict[str, Any]]]) -> str:
    return ";".join(f"{ref}={presence_stamp(people)}" for ref, people in sorted(presence.items()))


def notification_reference(*, user: User, notification_id: int) -> str | None:
    """The reference of the ticket of one of this user's notifications (None: not theirs)."""
    return (
        Notification.objects.filter(pk=notification_id, recipient=user)
        .values_list("ticket__reference", flat=True)
        .first()
    )


def notification_link(*, user: User, notification_id: int) -> str | None:
    """Where one of this user's notifications about no ticket leads (a path on this site)."""
    link = (
        Notification.objects.filter(pk=notification_id, recipient=user).values_list("link", flat=True).first()
    )
    return link if link and link.startswith("/") and not link.startswith("//") else None


def bell_state(*, user: User) -> tuple[int, str]:
    """The bell's unread count and the desk's change stamp (``desk_stamp``) in one query: every
    desk page shows them. The count reads the user's unread rows on their partial index only."""

    def newest(model: type[Ticket] | type[TicketEvent] | type[Message]) -> Subquery:
        return Subquery(model.objects.order_by("-id").values("id")[:1])

    unread = Subquery(
        Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(c=Count("id"))
        .values("c")[:1]
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(unread=unread, t=newest(Ticket), e=newest(TicketEvent), m=newest(Message))
        .values("unread", "t", "e", "m")
        .first()
    )
    if row is None:
        return 0, desk_stamp()
    return row["unread"] or 0, f"{row['t'] or 0}.{row['e'] or 0}.{row['m'] or 0}"
