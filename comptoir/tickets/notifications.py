"""What a ticket tells its customer, rendered in the customer's language and left in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.customers.models import Identity
from comptoir.customers.selectors import consent_granted, customer_phone
from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_enqueue, make_message_id

from .models import Attachment, Message, Ticket
from .tracking import my_requests_url, reply_address, tracking_url

# A flood of requests naming one address must not turn Comptoir into a mail cannon.
ACK_LIMIT_PER_HOUR = 20


def _customer_email(ticket: Ticket) -> str | None:
    return (
        Identity.objects.filter(customer_id=ticket.customer_id, kind=Identity.Kind.EMAIL)
        .order_by("id")
        .values_list("value", flat=True)
        .first()
    )


def _language(ticket: Ticket) -> str:
    return ticket.customer.language or ticket.language or "en"


def _sms_recipient(ticket: Ticket) -> str | None:
    """The customer's phone when texting them is allowed (they consented) and fits the ticket."""
    if ticket.channel != "sms" or not consent_granted(customer_id=ticket.customer_id, channel="sms"):
        return None
    return customer_phone(customer_id=ticket.customer_id)


def _sms(*, key: str, kind: str, ticket: Ticket, phone: str, body: str) -> Delivery:
    return delivery_enqueue(
        key=key, kind=kind, channel="sms", recipient=phone, subject="", body=body[:1600],
        ticket_id=ticket.pk, customer_id=ticket.customer_id,
    )  # fmt: skip


def ack_notify(
    *, ticket: Ticket, email: str | None = None, first_message_id: str = "", new_address: bool = False
) -> Delivery | None:
    """Queue the acknowledgment: reference and tracking link, never the customer's own text.

    ``email`` and ``first_message_id`` spare two lookups when intake already knows them;
    ``new_address``: intake has just recorded this address for the first time, so no
    acknowledgment can have gone to it within the hour and the flood limit has nothing to count.
    """
    phone = _sms_recipient(ticket)
    if phone is not None:
        with translation.override(_language(ticket)):
            body = _("%(reference)s: we received your message. Follow it here: %(url)s") % {
                "reference": ticket.reference,
                "url": tracking_url(ticket.tracking_uid),
            }
        return _sms(key=f"ack:{ticket.pk}", kind=Delivery.Kind.ACK, ticket=ticket, phone=phone, body=body)
    recipient = email or _customer_email(ticket)
    if recipient is None:
        return None
    if not new_address:
        recent = Delivery.objects.filter(
            recipient=recipient,
            kind=Delivery.Kind.ACK,
            created_at__gte=timezone.now() - timedelta(hours=1),
        ).count()
        if recent >= ACK_LIMIT_PER_HOUR:
            return None
    with translation.override(_language(ticket)):
        context = {
            "ticket": ticket,
            "tracking_url": tracking_url(ticket.tracking_uid),
            "my_requests_url": my_requests_url(),
        }
        subject = _("[%(reference)s] We received your request") % {"reference": ticket.reference}
        body = render_to_string("tickets/email/ack.txt", context)
    first = first_message_id
    headers = {"Reply-To": reply_address(ticket.pk)}
    if first.startswith("<") and ticket.channel == "email":
        headers.update({"In-Reply-To": first, "References": first})
    return delivery_enqueue(
        key=f"ack:{ticket.pk}",
        kind=Delivery.Kind.ACK,
        recipient=recipient,
        subject=subject,
        body=body,
        ticket_id=ticket.pk,
        headers=headers,
    )


def reply_notify(
    *, ticket: Ticket, message: Message, attachments: Sequence[Attachment] = ()
) -> Delivery | None:
    """Send an agent's public reply: by SMS on SMS tickets (with consent), else email, threaded."""
    phone = _sms_recipient(ticket)
    if phone is not None:
        return _sms(
            key=f"reply:{message.pk}", kind=Delivery.Kind.REPLY, ticket=ticket, phone=phone, body=message.body
        )
    recipient = _customer_email(ticket)
    if recipient is None:
        return None
    # Thread under everything the customer's mail client knows: our ack and their own emails.
    thread = [make_message_id(f"ack:{ticket.pk}")] + [
        mid
        for mid in ticket.messages.filter(kind=Message.Kind.CUSTOMER, hold=Message.Hold.NONE)
        .exclude(external_id="")
        .order_by("id")
        .values_list("external_id", flat=True)[:20]
        if mid.startswith("<")
    ]
    with translation.override(_language(ticket)):
        context = {
            "ticket": ticket,
            "message": message,
            "tracking_url": tracking_url(ticket.tracking_uid),
        }
        subject = _("[%(reference)s] Re: %(subject)s") % {
            "reference": ticket.reference,
            "subject": ticket.subject,
        }
        body = render_to_string("tickets/email/reply.txt", context)
    return delivery_enqueue(
        key=f"reply:{message.pk}",
        kind=Delivery.Kind.REPLY,
        recipient=recipient,
        subject=subject,
        body=body,
        ticket_id=ticket.pk,
        headers={
            "In-Reply-To": thread[-1],
            "References": " ".join(thread),
            "Reply-To": reply_address(ticket.pk),
        },
        attachments=[
            {"path": a.file.name, "filename": a.filename, "content_type": a.content_type} for a in attachments
        ],
    )


def tracking_link_notify(*, ticket: Ticket, via: str) -> Delivery | None:
    """Send the customer their tracking link (agent's choice after a call): "email" or "sms"."""
    with translation.override(_language(ticket)):
        url = tracking_url(ticket.tracking_uid)
        if via == "sms":
            phone = customer_phone(customer_id=ticket.customer_id)
            if phone is None or not consent_granted(customer_id=ticket.customer_id, channel="sms"):
                return None
            body = _("%(reference)s: follow your request here: %(url)s") % {
                "reference": ticket.reference,
                "url": url,
            }
            key = f"link-sms:{ticket.pk}:{timezone.now().timestamp()}"
            return _sms(key=key, kind=Delivery.Kind.TRACKING_LINK, ticket=ticket, phone=phone, body=body)
        recipient = _customer_email(ticket)
        if recipient is None:
            return None
        subject = _("[%(reference)s] Follow your request") % {"reference": ticket.reference}
        body = render_to_string("tickets/email/tracking_link.txt", {"ticket": ticket, "tracking_url": url})
    return delivery_enqueue(
        key=f"link-email:{ticket.pk}:{timezone.now().timestamp()}", kind=Delivery.Kind.TRACKING_LINK,
        recipient=recipient, subject=subject, body=body, ticket_id=ticket.pk,
        headers={"Reply-To": reply_address(ticket.pk)},
    )  # fmt: skip


def staff_alert(*, key: str, user: User, ticket: Ticket, subject: str, body: str) -> Delivery | None:
    """Email one staff member about a ticket, once per ``key`` (the outbox key is unique)."""
    if not user.email or Delivery.objects.filter(idempotency_key=key).exists():
        return None
    link = f"{settings.BASE_URL.rstrip('/')}/desk/tickets/{ticket.reference}/"
    return delivery_enqueue(
        key=key, kind=Delivery.Kind.STAFF_ALERT, recipient=user.email, subject=subject,
        body=f"{body}\n\n{link}\n", ticket_id=ticket.pk,
    )  # fmt: skip


def escalation_notify(*, ticket: Ticket, event_id: int, reason: str) -> list[Delivery]:
    """Tell the supervisors of the team that received an escalation "to a supervisor".

    Same people as SLA alerts (``sla._recipients``: the team's supervisors, else every supervisor,
    else the administrators); the ticket is unassigned by then. One email per recipient and
    escalation, in the recipient's language.
    """
    from .sla import _recipients  # sla imports this module

    sent = []
    for user in _recipients(ticket):
        with translation.override(user.language or "en"):
            values = {"reference": ticket.reference, "subject": ticket.subject, "reason": reason}
            subject = _("[%(reference)s] Escalated to a supervisor") % values
            body = (
                _("The ticket %(reference)s (%(subject)s) was escalated to a supervisor: %(reason)s") % values
            )
        delivery = staff_alert(
            key=f"escalation:{event_id}:{user.pk}", user=user, ticket=ticket, subject=subject, body=body
        )
        if delivery is not None:
            sent.append(delivery)
    return sent


def reply_held_notify(*, ticket: Ticket, message: Message, senior: User) -> Delivery | None:
    """Tell the paired senior that a junior's reply waits for their approval (once per message)."""
    with translation.override(senior.language or "en"):
        values = {
            "reference": ticket.reference,
            "subject": ticket.subject,
            "junior": str(message.author or ""),
        }
        subject = _("[%(reference)s] A reply waits for your approval") % values
        body = (
            _(
                "%(junior)s replied on %(reference)s (%(subject)s). The reply is sent to the customer "
                "only after your approval on the desk."
            )
            % values
        )
    return staff_alert(key=f"reply-held:{message.pk}", user=senior, ticket=ticket, subject=subject, body=body)


def merge_notify(*, source: Ticket, target: Ticket, merge_id: int) -> Delivery | None:
    """Tell the customer that ``source`` was merged into ``target``, with the survivor's link.

    Both tickets belong to the same customer (``tickets.merge`` refuses otherwise), so the link
    shows them nothing that is not theirs. By SMS on SMS tickets with consent, else by email."""
    url = tracking_url(target.tracking_uid)
    values = {"reference": source.reference, "survivor": target.reference, "url": url}
    phone = _sms_recipient(source)
    if phone is not None:
        with translation.override(_language(source)):
            body = _("%(reference)s was joined to your request %(survivor)s. Follow it here: %(url)s")
        key, kind = f"merge:{merge_id}", Delivery.Kind.TRACKING_LINK
        return _sms(key=key, kind=kind, ticket=target, phone=phone, body=body % values)
    recipient = _customer_email(source)
    if recipient is None:
        return None
    with translation.override(_language(source)):
        subject = _("[%(survivor)s] Your request %(reference)s was joined to this one") % values
        context = {"source": source, "target": target, "tracking_url": url}
        body = render_to_string("tickets/email/merged.txt", context)
    return delivery_enqueue(
        key=f"merge:{merge_id}", kind=Delivery.Kind.TRACKING_LINK, recipient=recipient, subject=subject,
        body=body, ticket_id=target.pk, headers={"Reply-To": reply_address(target.pk)},
    )  # fmt: skip
