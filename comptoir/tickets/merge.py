"""Merge two tickets of one customer, undo a merge, split a message off into a new ticket.

A merge moves the merged ticket's messages (and their attachments) to the survivor; its history
stays where it was written (append-only) and both histories say what happened, each pointing to
the other. The merged ticket is closed with ``merged_into`` set: its tracking link and email
replies to it lead to the survivor (``selectors.ticket_for_thread``, the portal's tracking page).
Only tickets of the same customer merge: the survivor's tracking page shows every public message
to whoever holds its link, so another customer's words must never land there.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User

from . import notifications
from .changes import ticket_changed
from .exceptions import Conflict, InvalidInput, NotFound
from .models import Attachment, Message, Ticket, TicketEvent, TicketMerge
from .permissions import ticket_action_check
from .services import _event, _label, _next_ticket_id, event_record, ticket_change
from .sla import ticket_sla_schedule, ticket_sla_start

# A merge can be undone for this long, and only while no new message reached the survivor.
MERGE_UNDO_WINDOW = timedelta(minutes=30)


def _may_change(actor: User, ticket: Ticket, role_error: str) -> None:
    ticket_action_check(actor=actor, ticket=ticket, action="change", role_error=role_error)


@transaction.atomic
def ticket_merge(*, actor: User, source_id: int, target_id: int) -> TicketMerge:
    """Merge ticket ``source_id`` into ``target_id`` (the survivor) and tell the customer."""
    if source_id == target_id:
        raise InvalidInput(_("A ticket cannot be merged into itself."), field="target")
    # Locked in id order, so two merges of the same pair cannot deadlock.
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update().filter(pk__in=[source_id, target_id]).order_by("pk")
    }
    if len(locked) != 2:
        raise NotFound(_("No such ticket."))
    source, target = locked[source_id], locked[target_id]
    role_error = _("You may not merge tickets.")
    _may_change(actor, source, role_error)
    _may_change(actor, target, role_error)
    if source.merged_into_id is not None:
        raise Conflict(_("This ticket was already merged into another one."))
    if target.merged_into_id is not None:
        raise Conflict(_("%(reference)s was merged into another ticket: merge into that one instead.") % {
            "reference": target.reference
        })  # fmt: skip
    if source.customer_id != target.customer_id:
        raise Conflict(_("Only tickets of the same customer can be merged."))
    message_ids = list(
        Message.objects.filter(ticket_id=source.pk).order_by("id").values_list("pk", flat=True)
    )
    Message.objects.filter(pk__in=message_ids).update(ticket_id=target.pk)
    Attachment.objects.filter(message_id__in=message_ids).update(ticket_id=target.pk)
    merge = TicketMerge.objects.create(
        source=source, target=target, actor=actor, message_ids=message_ids, source_status=source.status,
    )  # fmt: skip
    event_record(ticket=target, actor=actor, field=TicketEvent.Kind.MERGED, old="", new=source.reference)
    ticket_change(
        ticket=source, actor=actor, changes={"status": Ticket.Status.CLOSED, "merged_into": target},
        also={"snoozed_until": None},
    )  # fmt: skip
    # The survivor's messages changed: its version moves and its response clocks are recomputed.
    ticket_change(ticket=target, actor=actor, changes={}, touch=True, refresh_sla=True)
    merge.last_message_id = Message.objects.filter(ticket_id=target.pk).aggregate(m=Max("pk"))["m"] or 0
    merge.save(update_fields=["last_message_id"])
    notifications.merge_notify(source=source, target=target, merge_id=merge.pk)
    return merge


@transaction.atomic
def ticket_unmerge(*, actor: User, merge_id: int) -> TicketMerge:
    """Undo a merge: the messages go back, the merged ticket gets its status back.

    Possible for ``MERGE_UNDO_WINDOW`` and only while the survivor received no new message and
    the merged ticket was not touched since (a later change would be silently mixed up). The
    customer, already told of the merge, is not written to again.
    """
    merge = TicketMerge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise NotFound(_("There is no such merge."))
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=[merge.source_id, merge.target_id])
        .order_by("pk")
    }
    source, target = locked[merge.source_id], locked[merge.target_id]
    role_error = _("You may not merge tickets.")
    _may_change(actor, source, role_error)
    _may_change(actor, target, role_error)
    if merge.undone_at is not None:
        raise Conflict(_("This merge was already undone."))
    if merge.created_at + MERGE_UNDO_WINDOW < timezone.now():
        raise Conflict(
            _("This merge is too old to undo (undo is possible for %(minutes)s minutes).")
            % {"minutes": int(MERGE_UNDO_WINDOW.total_seconds() // 60)}
        )
    if Message.objects.filter(ticket_id=target.pk, pk__gt=merge.last_message_id).exists():
        raise Conflict(_("A new message arrived on %(reference)s since the merge: it cannot be undone.") % {
            "reference": target.reference
        })  # fmt: skip
    if source.merged_into_id != target.pk or source.status != Ticket.Status.CLOSED:
        raise Conflict(_("%(reference)s was changed since the merge: it cannot be undone.") % {
            "reference": source.reference
        })  # fmt: skip
    Message.objects.filter(pk__in=merge.message_ids, ticket_id=target.pk).update(ticket_id=source.pk)
    Attachment.objects.filter(message_id__in=merge.message_ids).update(ticket_id=source.pk)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    event_record(ticket=target, actor=actor, field=TicketEvent.Kind.UNMERGED, old="", new=source.reference)
    event_record(ticket=source, actor=actor, field=TicketEvent.Kind.UNMERGED, old="", new=target.reference)
    ticket_change(
        ticket=source,
        actor=actor,
        changes={"status": merge.source_status, "merged_into": None},
        refresh_sla=True,
    )
    ticket_change(ticket=target, actor=actor, changes={}, touch=True, refresh_sla=True)
    return merge


def merge_latest(*, ticket_id: int) -> TicketMerge | None:
    """The merge that closed this ticket, or the last one into it, not undone: what an Undo
    button on either ticket's page would undo."""
    return (
        TicketMerge.objects.filter(Q(source_id=ticket_id) | Q(target_id=ticket_id), undone_at__isnull=True)
        .select_related("source", "target")
        .order_by("-id")
        .first()
    )


@transaction.atomic
def ticket_split(*, actor: User, ticket_id: int, message_id: int, subject: str = "") -> Ticket:
    """Move one customer message (and its attachments) off into a new ticket of the same customer.

    The new ticket takes the original's team, category, priority and language, starts its own
    service-level clocks, and the customer receives its acknowledgment (its reference and
    tracking link). Both histories say where the message went or came from.
    """
    original = Ticket.objects.select_for_update().select_related("customer").get(pk=ticket_id)
    ticket_action_check(
        actor=actor, ticket=original, action="change", role_error=_("You may not split tickets.")
    )
    message = Message.objects.filter(pk=message_id, ticket_id=original.pk).first()
    if message is None:
        raise NotFound(_("No such message on this ticket."))
    if message.kind != Message.Kind.CUSTOMER or message.hold:
        raise InvalidInput(_("Only a customer's message can be split off."), field="message")
    if not Message.objects.filter(ticket_id=original.pk).exclude(pk=message.pk).exists():
        raise InvalidInput(
            _("This is the ticket's only message: there is nothing to split it from."), field="message"
        )
    subject = " ".join((subject or original.subject).split())[:255]
    now = timezone.now()
    pk = _next_ticket_id()
    ticket = Ticket(
        pk=pk, reference=f"CPT-{pk:06d}", subject=subject, customer=original.customer,
        channel=message.channel, language=original.language, priority=original.priority,
        team=original.team, category=original.category, created_at=now, updated_at=now,
    )  # fmt: skip
    ticket_sla_start(ticket=ticket)
    ticket.save_base(raw=True, force_insert=True)
    ticket._state.adding = False
    ticket_sla_schedule(ticket=ticket)
    Message.objects.filter(pk=message.pk).update(ticket_id=ticket.pk)
    Attachment.objects.filter(message_id=message.pk).update(ticket_id=ticket.pk)
    label = _label(actor)
    TicketEvent.objects.bulk_create(
        [
            _event(ticket, actor, TicketEvent.Kind.CREATED, "", message.channel, label),
            _event(ticket, actor, TicketEvent.Kind.SPLIT_FROM, "", original.reference, label),
        ]
    )
    # As ticket_create does: the apps that follow new tickets (list counters, live pages) see it.
    ticket_changed(ticket_id=ticket.pk, kinds=[TicketEvent.Kind.CREATED], actor_id=actor.pk)
    event_record(ticket=original, actor=actor, field=TicketEvent.Kind.SPLIT, old="", new=ticket.reference)
    ticket_change(ticket=original, actor=actor, changes={}, touch=True, refresh_sla=True)
    notifications.ack_notify(ticket=ticket)
    return ticket
