"""Surveys after resolution and the voice-of-customer log: every write of issue 12, items 4 and 5.

A ticket's first resolution creates its one survey (``survey_on_status_change``, after the
commit); ``survey_send`` leaves it in the outbox after ``COMPTOIR_SURVEY_DELAY`` seconds (a task
scheduled for that instant, and the worker's sweep for a lost one), by SMS when the ticket came by
SMS and the customer consented, else by email, in the customer's language. Each score in the
message is a link carrying the survey's random token; opening it records nothing (mail scanners
open links) but shows the form with that score chosen, and one button records it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.accounts.models import User
from comptoir.common.exceptions import InvalidInput, NotFound, PermissionDenied
from comptoir.common.queries import ROW_ONLY
from comptoir.common.tasks import enqueue_with_change
from comptoir.customers.models import Consent, Customer, Identity
from comptoir.customers.selectors import consent_granted, customer_phone
from comptoir.outbox.models import Delivery
from comptoir.outbox.services import delivery_enqueue
from comptoir.tickets.changes import Change
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.notifications import staff_alert
from comptoir.tickets.services import event_record

from .history import SURVEY, SURVEY_LOW
from .models import Survey, VocEntry

logger = logging.getLogger("comptoir.surveys")

SATISFACTION = range(1, 6)
EFFORT = range(1, 8)
COMMENT_MAX = 4000

SATISFACTION_LABELS = {
    1: gettext_lazy("Very dissatisfied"),
    2: gettext_lazy("Dissatisfied"),
    3: gettext_lazy("Neither satisfied nor dissatisfied"),
    4: gettext_lazy("Satisfied"),
    5: gettext_lazy("Very satisfied"),
}
EFFORT_LABELS = {
    1: gettext_lazy("Very easy"),
    4: gettext_lazy("Neither easy nor hard"),
    7: gettext_lazy("Very hard"),
}


def _setting(name: str, default: float) -> float:
    """A survey setting: Django's setting if set, else the environment, else ``default``."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return float(value)


def survey_delay() -> timedelta:
    """How long after the resolution the survey leaves (``COMPTOIR_SURVEY_DELAY``, seconds; 1 h)."""
    return timedelta(seconds=_setting("COMPTOIR_SURVEY_DELAY", 3600))


def survey_edit_window() -> timedelta:
    """How long after the first answer it may still be changed (``COMPTOIR_SURVEY_EDIT_HOURS``; 72)."""
    return timedelta(hours=_setting("COMPTOIR_SURVEY_EDIT_HOURS", 72))


def survey_link_lifetime() -> timedelta:
    """How long an unanswered survey's link works once sent (``COMPTOIR_SURVEY_TTL_DAYS``; 30)."""
    return timedelta(days=_setting("COMPTOIR_SURVEY_TTL_DAYS", 30))


def survey_is_low(*, satisfaction: int | None, effort: int | None) -> bool:
    """Satisfaction at or below ``COMPTOIR_SURVEY_LOW_SATISFACTION`` (2) or effort at or above
    ``COMPTOIR_SURVEY_HIGH_EFFORT`` (6)."""
    low = satisfaction is not None and satisfaction <= _setting("COMPTOIR_SURVEY_LOW_SATISFACTION", 2)
    hard = effort is not None and effort >= _setting("COMPTOIR_SURVEY_HIGH_EFFORT", 6)
    return low or hard


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_url(*, reference: str, token: str, **score: int) -> str:
    url = settings.BASE_URL.rstrip("/") + reverse(
        "portal:survey", kwargs={"reference": reference, "token": token}
    )
    if score:
        (name, value), *_rest = score.items()
        url += f"?{name}={value}"
    return url


def survey_scores_text(survey: Survey) -> str:
    """The answer as a language-neutral line for the ticket's history ("CSAT 4/5 · CES 2/7")."""
    parts = []
    if survey.satisfaction is not None:
        parts.append(f"CSAT {survey.satisfaction}/5")
    if survey.effort is not None:
        parts.append(f"CES {survey.effort}/7")
    return " · ".join(parts)


# --- Creation and sending ------------------------------------------------------------------------


def survey_on_status_change(change: Change) -> None:
    """After-commit handler: a ticket that has just become resolved gets its survey."""
    old, new = change.values.get("status", (None, None))
    if str(new) == Ticket.Status.RESOLVED and str(old) != Ticket.Status.RESOLVED:
        survey_create(ticket_id=change.ticket_id)


def survey_create(*, ticket_id: int, now: datetime | None = None) -> Survey | None:
    """The ticket's one survey (None if it already had one: a reopened ticket resolved again)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            if Survey.objects.filter(ticket_id=ticket_id).exists():
                return None
            ticket = Ticket.objects.select_related("customer").get(pk=ticket_id)
            survey = Survey.objects.create(
                ticket=ticket, customer_id=ticket.customer_id, send_after=now + survey_delay(),
                language=ticket.customer.language or ticket.language or "en",
            )  # fmt: skip
            if survey.send_after <= now:
                survey_send(survey_id=survey.pk, now=now)
            else:
                from .tasks import survey_send_task

                enqueue_with_change(survey_send_task, run_after=survey.send_after, survey_id=survey.pk)
    except IntegrityError:  # another process created it at the same moment
        return None
    return survey


@dataclass(frozen=True)
class _Route:
    channel: str
    recipient: str


def _route(ticket: Ticket) -> _Route | None:
    """Where the customer agreed to hear from us: SMS when the request came by SMS and they
    consented to texts, else their first email address unless they withdrew email consent."""
    customer_id = ticket.customer_id
    if ticket.channel == "sms" and consent_granted(customer_id=customer_id, channel="sms"):
        phone = customer_phone(customer_id=customer_id)
        if phone:
            return _Route("sms", phone)
    if Consent.objects.filter(customer_id=customer_id, channel=Consent.Channel.EMAIL, granted=False).exists():
        return None
    email = (
        Identity.objects.filter(customer_id=customer_id, kind=Identity.Kind.EMAIL)
        .order_by("id")
        .values_list("value", flat=True)
        .first()
    )
    return _Route("email", email) if email else None


@transaction.atomic
def survey_send(*, survey_id: int, now: datetime | None = None) -> Survey | None:
    """Leave the survey in the outbox once; a survey already sent (or answered) is left alone."""
    now = now or timezone.now()
    survey = (
        Survey.objects.select_for_update(of=ROW_ONLY)
        .select_related("ticket", "customer")
        .filter(pk=survey_id)
        .first()
    )
    if survey is None or survey.status != Survey.Status.PENDING:
        return survey
    route = _route(survey.ticket)
    if route is None:
        survey.status = Survey.Status.UNSENT
        survey.save(update_fields=["status"])
        return survey
    token = secrets.token_urlsafe(24)
    ticket = survey.ticket
    with translation.override(survey.language):
        subject, body = _compose(ticket=ticket, token=token, channel=route.channel)
    delivery_enqueue(
        key=f"survey:{survey.pk}", kind=Delivery.Kind.SURVEY, channel=route.channel,
        recipient=route.recipient,
        subject=subject, body=body, ticket_id=ticket.pk, customer_id=ticket.customer_id,
        headers=(
            {"Auto-Submitted": "auto-generated", "Content-Language": survey.language}
            if route.channel == "email"
            else None
        ),
    )  # fmt: skip
    survey.token_hash = token_hash(token)
    survey.status, survey.channel, survey.sent_at = Survey.Status.SENT, route.channel, now
    survey.save(update_fields=["token_hash", "status", "channel", "sent_at"])
    return survey


def _compose(*, ticket: Ticket, token: str, channel: str) -> tuple[str, str]:
    ref = ticket.reference
    if channel == "sms":
        body = _("%(reference)s is resolved. How did we do? Answer here: %(url)s") % {
            "reference": ref,
            "url": survey_url(reference=ref, token=token),
        }
        return "", body
    context = {
        "ticket": ticket,
        "page_url": survey_url(reference=ref, token=token),
        "satisfaction": [
            (n, SATISFACTION_LABELS[n], survey_url(reference=ref, token=token, satisfaction=n))
            for n in SATISFACTION
        ],
        "effort": [
            (n, EFFORT_LABELS.get(n, ""), survey_url(reference=ref, token=token, effort=n)) for n in EFFORT
        ],
    }
    subject = _("[%(reference)s] How did we do?") % {"reference": ref}
    return subject, render_to_string("surveys/email/survey.txt", context)


def survey_send_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """The worker's sweep: send the surveys whose time has come (a lost task, a restart)."""
    now = now or timezone.now()
    due = list(
        Survey.objects.filter(status=Survey.Status.PENDING, send_after__lte=now)
        .order_by("send_after")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        survey_send(survey_id=pk, now=now)
    return len(due)


def survey_sweep() -> None:
    survey_send_due()


# --- Answering -----------------------------------------------------------------------------------


class SurveyLocked(PermissionDenied):
    status_code = 410


def survey_by_token(*, reference: str, token: str) -> Survey:
    """The survey a link opens: its token's hash, and the ticket the link names (a token moved to
    another ticket's address opens nothing)."""
    if not token or len(token) > 100:
        raise NotFound(_("This survey link is not valid."))
    survey = Survey.objects.select_related("ticket", "customer").filter(token_hash=token_hash(token)).first()
    if survey is None or survey.ticket.reference != reference:
        raise NotFound(_("This survey link is not valid."))
    return survey


def survey_state(survey: Survey, *, now: datetime | None = None) -> str:
    """``open``, ``locked`` (answered too long ago to change) or ``expired`` (never answered)."""
    now = now or timezone.now()
    if survey.answered_at is not None:
        return "locked" if now > survey.answered_at + survey_edit_window() else "open"
    if survey.sent_at is not None and now > survey.sent_at + survey_link_lifetime():
        return "expired"
    return "open"


def survey_editable_until(survey: Survey) -> datetime | None:
    return survey.answered_at + survey_edit_window() if survey.answered_at else None


def _checked(value: Any, allowed: range, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number not in allowed:
        raise InvalidInput(_("Choose a score from the list."), field=field)
    return number


@transaction.atomic
def survey_answer(
    *,
    reference: str,
    token: str,
    satisfaction: int | str | None,
    effort: int | str | None,
    comment: str = "",
    now: datetime | None = None,
) -> Survey:
    """Record (or change, within the edit window) the customer's answer.

    The ticket's history shows each answer; a low one alerts the team's supervisors once per
    survey; a comment becomes (or updates) the survey's voice-of-customer entry."""
    now = now or timezone.now()
    found = survey_by_token(reference=reference, token=token)
    survey = (
        Survey.objects.select_for_update(of=ROW_ONLY).select_related("ticket", "customer").get(pk=found.pk)
    )
    if survey_state(survey, now=now) != "open":
        raise SurveyLocked(_("This survey can no longer be answered or changed."))
    sat = _checked(satisfaction, SATISFACTION, "satisfaction")
    eff = _checked(effort, EFFORT, "effort")
    if sat is None and eff is None:
        raise InvalidInput(_("Choose at least one score."), field="satisfaction")
    text = comment.strip()[:COMMENT_MAX]
    before = survey_scores_text(survey)
    survey.satisfaction, survey.effort, survey.comment = sat, eff, text
    survey.status, survey.updated_at = Survey.Status.ANSWERED, now
    survey.answered_at = survey.answered_at or now
    fields = ["satisfaction", "effort", "comment", "status", "updated_at", "answered_at"]
    ticket = survey.ticket
    label = survey.customer.name or _("Customer")
    event_record(
        ticket=ticket, actor=None, field=SURVEY, old=before, new=survey_scores_text(survey), label=label
    )
    if survey.alerted_at is None and survey_is_low(satisfaction=sat, effort=eff):
        survey.alerted_at = now
        fields.append("alerted_at")
        event_record(ticket=ticket, actor=None, field=SURVEY_LOW, old="", new=survey_scores_text(survey))
        _alert_supervisors(survey)
    survey.save(update_fields=fields)
    _voc_from_survey(survey)
    return survey


def survey_supervisors(ticket: Ticket) -> list[User]:
    """Who hears of a low score: the supervisors of the ticket's team, else every supervisor,
    else the administrators."""
    active = User.objects.filter(is_active=True).order_by("id")
    if ticket.team_id is not None:
        people = list(active.filter(is_supervisor=True, teams=ticket.team_id))
        if people:
            return people
    return list(active.filter(is_supervisor=True)) or list(active.filter(is_superuser=True))


def _alert_supervisors(survey: Survey) -> None:
    ticket = survey.ticket
    for user in survey_supervisors(ticket):
        with translation.override(user.language or "en"):
            values = {
                "reference": ticket.reference,
                "subject": ticket.subject,
                "scores": survey_scores_text(survey),
                "comment": survey.comment or "—",
            }
            subject = _("[%(reference)s] Low survey score") % values
            body = (
                _("The customer rated %(reference)s (%(subject)s): %(scores)s. Comment: %(comment)s") % values
            )
        staff_alert(
            key=f"survey-low:{survey.pk}:{user.pk}", user=user, ticket=ticket, subject=subject, body=body
        )


def _voc_from_survey(survey: Survey) -> None:
    entry = VocEntry.objects.filter(survey=survey).first()
    if not survey.comment:
        return  # an entry stays once written: what the customer said was said
    if entry is None:
        entry = VocEntry(
            customer_id=survey.customer_id, comment=survey.comment, source=VocEntry.Source.SURVEY,
            ticket_id=survey.ticket_id, survey=survey,
        )  # fmt: skip
        entry.search_text = _search_text(entry, survey.customer)
        entry.save(force_insert=True)
    elif entry.comment != survey.comment:
        entry.comment = survey.comment
        entry.search_text = _search_text(entry, survey.customer)
        entry.save(update_fields=["comment", "search_text"])


# --- Voice-of-customer log -----------------------------------------------------------------------

_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase without accents, spaces collapsed: "Rappelée  LE matin" → "rappelee le matin"."""
    text = " ".join(text.split())
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text.casefold()


def _search_text(entry: VocEntry, customer: Customer) -> str:
    return fold(f"{entry.comment} {customer.name}")


def voc_may_use(actor: User | None) -> bool:
    return bool(actor is not None and actor.is_active and (actor.is_agent or actor.is_superuser))


@transaction.atomic
def voc_create(
    *,
    actor: User,
    customer_id: int,
    comment: str,
    ticket_reference: str = "",
    message_id: int | None = None,
) -> VocEntry:
    """An agent writes down what a customer said, with the ticket or message it comes from."""
    if not voc_may_use(actor):
        raise PermissionDenied(_("Only agents can write in the voice-of-customer log."))
    text = comment.strip()[:COMMENT_MAX]
    if not text:
        raise InvalidInput(_("Write what the customer said."), field="comment")
    customer = Customer.objects.filter(pk=customer_id, merged_into__isnull=True).first()
    if customer is None:
        raise InvalidInput(_("Choose a customer from the list."), field="customer")
    ticket = message = None
    if ticket_reference.strip():
        ticket = Ticket.objects.filter(reference=ticket_reference.strip()).first()
        if ticket is None or ticket.customer_id != customer.pk:
            raise InvalidInput(_("No ticket of this customer has this reference."), field="ticket")
    if message_id is not None:
        message = Message.objects.filter(pk=message_id).exclude(kind=Message.Kind.INTERNAL).first()
        if message is None or ticket is None or message.ticket_id != ticket.pk:
            raise InvalidInput(_("This message is not on the ticket named."), field="message")
    entry = VocEntry(
        customer=customer, comment=text, source=VocEntry.Source.AGENT, author=actor, ticket=ticket,
        message=message,
    )  # fmt: skip
    entry.search_text = _search_text(entry, customer)
    entry.save(force_insert=True)
    return entry
