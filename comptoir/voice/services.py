"""Sentiment of every inbound customer message, and what an angry or distressed one sets off.

A customer's message (new request, reply, logged call, accepted held email) is scored in the
worker after the commit that stored it: the first message of a new ticket by the enrichment
step ``sentiment_enrich`` (after triage and auto-assignment, so the alert reaches the new
assignee), later ones by ``message_sentiment_task``, queued with the change; ``sentiment_sweep``
scores what a lost task left. ``message_score`` is idempotent: the ``MessageSentiment`` row is
unique per message and everything that follows is written in the transaction that inserts it,
so a repeat does nothing.

An angry or distressed message (``distressed``: negative with a support cue or with p(negative)
at least ``COMPTOIR_SENTIMENT_ALERT_NEGATIVE``, or a strong cue such as a threat to leave) marks the
ticket ``unhappy``, raises one alert per message to the assignee and the supervisors of the
ticket's team (in each one's language), and raises the priority to
``COMPTOIR_SENTIMENT_PRIORITY`` (never lowers it), saying why in the history. Triage's hook
(``sentiment_priority``) applies the same rule to a new ticket's text during its analysis.
"""

from __future__ import annotations

import contextlib
import logging
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.common.queries import ROW_ONLY
from comptoir.common.tasks import enqueue_with_change
from comptoir.tickets.changes import CUSTOMER_MESSAGE, Change
from comptoir.tickets.models import Message, Ticket, TicketEvent
from comptoir.tickets.notifications import staff_alert
from comptoir.tickets.services import event_record, ticket_change

from .effort import voice_locked, voice_save
from .models import MessageSentiment, TicketVoice
from .selectors import alert_recipients

if TYPE_CHECKING:
    from comptoir.nlp.sentiment import Sentiment

logger = logging.getLogger("comptoir.voice")

PRIORITIES = ["P1", "P2", "P3", "P4"]
SWEEP_WINDOW = 5000  # the sweep looks at the most recent customer messages only (by id)
REPEAT_SIMILARITY = 0.6  # words shared with an earlier message of the same ticket (Jaccard)


def _model() -> ModuleType:
    """The sentiment model, imported at first use (in the worker), never by a web process."""
    from comptoir.nlp import sentiment

    return sentiment


def model_version() -> str:
    """Which model scored: its ``MODEL_VERSION`` if it names one, else its file and that file's
    modification time (a retrained model is a new version)."""
    model = _model()
    named = getattr(model, "MODEL_VERSION", "")
    if named:
        return str(named)[:60]
    try:
        path = Path(model.model_path())
        return f"{path.name}@{int(path.stat().st_mtime)}"[:60]
    except (AttributeError, OSError):
        return ""


def distressed(result: Sentiment) -> bool:
    """Anger or distress, not a calm complaint: a strong cue in a message that is not positive;
    a negative message with any support cue (anger words, repeated contact, capitals, "!!!");
    or one so negative (``COMPTOIR_SENTIMENT_ALERT_NEGATIVE``) that it needs no cue. "My bill is
    wrong, please fix it." (p 0.88, no cue) is a complaint to answer, not an alert to raise."""
    if result.label == "positive":
        return False
    if set(result.cues) & set(settings.COMPTOIR_SENTIMENT_STRONG_CUES):
        return True
    if result.label != "negative":
        return False
    return bool(result.cues) or result.negative >= settings.COMPTOIR_SENTIMENT_ALERT_NEGATIVE


# The last few texts scored in this process: a new ticket's first message is read by triage's hook
# (its priority) and then by the sentiment step of the same enrichment; the model runs once.
_recent: dict[tuple[str, str, str], Sentiment] = {}
_RECENT_MAX = 32


def _score(text: str, language: str) -> Sentiment:
    key = (text, language, model_version())
    found = _recent.get(key)
    if found is None:
        found = _model().score([text], [language])[0]
        if len(_recent) >= _RECENT_MAX:
            with contextlib.suppress(StopIteration, KeyError, RuntimeError):  # another thread got there
                _recent.pop(next(iter(_recent)))
        _recent[key] = found
    return found


def sentiment_priority(text: str, language: str) -> str | None:
    """Triage's hook (``COMPTOIR_SENTIMENT_HOOK``): the priority an angry new request deserves."""
    wanted = settings.COMPTOIR_SENTIMENT_PRIORITY
    if wanted not in PRIORITIES or not text.strip():
        return None
    return wanted if distressed(_score(text, language)) else None


def _scorable(message: Message) -> bool:
    return message.kind == Message.Kind.CUSTOMER and not message.hold and not message.auto_submitted


_WORD = re.compile(r"\w{3,}")


def _words(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    return set(_WORD.findall("".join(c for c in folded if not unicodedata.combining(c))))


def _repeats_earlier(message: Message, cues: Sequence[str]) -> bool:
    """A question asked again: the model's "repeat contact" cue, or mostly the words of an
    earlier customer message of the ticket (its last 20)."""
    if "repeat contact" in cues:
        return True
    mine = _words(message.body)
    if len(mine) < 4:
        return False
    earlier = (
        Message.objects.filter(ticket_id=message.ticket_id, kind=Message.Kind.CUSTOMER, id__lt=message.pk)
        .order_by("-id")
        .values_list("body", flat=True)[:20]
    )
    for body in earlier:
        theirs = _words(body)
        if theirs and len(mine & theirs) / len(mine | theirs) >= REPEAT_SIMILARITY:
            return True
    return False


def message_score(*, message_id: int) -> MessageSentiment | None:
    """Score one customer message and act on it, once; None if it is not one to score."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None or not _scorable(message):
        return None
    if MessageSentiment.objects.filter(message_id=message_id).exists():
        return None
    language, subject = Ticket.objects.filter(pk=message.ticket_id).values_list("language", "subject").get()
    text = message.body
    if not Message.objects.filter(
        ticket_id=message.ticket_id, kind=Message.Kind.CUSTOMER, id__lt=message.pk
    ).exists():
        # The request itself: its subject is the customer's words too, read as triage reads them.
        text = f"{subject}\n{message.body}"[:4000]
    result = _score(text, language or "en")  # the model runs outside any transaction
    repeated = _repeats_earlier(message, result.cues)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=ROW_ONLY).select_related("assignee").get(pk=message.ticket_id)
        )
        row, created = MessageSentiment.objects.get_or_create(
            message_id=message_id,
            defaults={
                "ticket_id": ticket.pk, "label": result.label, "score": round(float(result.score), 4),
                "negative": round(float(result.negative), 4), "cues": list(result.cues),
                "model_version": model_version(), "distressed": distressed(result),
            },
        )  # fmt: skip
        if not created:
            return None  # another run got there first and did the rest
        voice = voice_locked(ticket.pk)
        voice.contacts += 1
        fields = ["contacts"]
        if message.channel not in voice.channels:
            voice.channels = [*voice.channels, message.channel]
            fields.append("channels")
        if repeated and voice.contacts > 1:
            voice.repeats += 1
            fields.append("repeats")
        if row.distressed:
            fields += _mark_unhappy(ticket=ticket, voice=voice, row=row)
        voice_save(voice, fields=fields)
    return row


def _mark_unhappy(*, ticket: Ticket, voice: TicketVoice, row: MessageSentiment) -> list[str]:
    voice.unhappy, voice.unhappy_cues, voice.unhappy_message_id = True, list(row.cues), row.message_id
    wanted = settings.COMPTOIR_SENTIMENT_PRIORITY
    if wanted in PRIORITIES and PRIORITIES.index(wanted) < PRIORITIES.index(ticket.priority):
        ticket_change(ticket=ticket, actor=None, changes={"priority": wanted})
        # Why, as triage words it ("tone: ..."): tickets.history reads it in each reader's language.
        why = f"tone: {wanted}; sentiment={row.label} ({row.negative:.2f})"  # cues: the ticket's badge
        event_record(ticket=ticket, actor=None, field=TicketEvent.Kind.TRIAGE, old="", new=why[:500])
    _alert(ticket=ticket, row=row)
    return ["unhappy", "unhappy_cues", "unhappy_message_id"]


def _alert(*, ticket: Ticket, row: MessageSentiment) -> None:
    for user in alert_recipients(ticket=ticket):
        with translation.override(user.language or "en"):
            values = {
                "reference": ticket.reference,
                "subject": ticket.subject,
                "cues": ", ".join(cue_label(c) for c in row.cues) or _("negative tone"),
            }
            subject = _("[%(reference)s] Unhappy customer") % values
            body = (
                _("The customer of %(reference)s (%(subject)s) sounds angry or distressed: %(cues)s.")
                % values
            )
        staff_alert(
            key=f"unhappy:{row.message_id}:{user.pk}", user=user, ticket=ticket, subject=subject, body=body
        )


def cue_label(cue: str) -> str:
    """A cue the model names, in the reader's language."""
    labels = {
        "caps": _("capitals"),
        "exclamations": _("exclamation marks"),
        "churn threat": _("threat to leave"),
        "repeat contact": _("repeated contact"),
        "legal action": _("threat of legal action"),
    }
    return str(labels.get(cue, cue))


# The worker's entry points: the enrichment step of a new ticket, and the task of a later message.


def sentiment_enrich(ticket: Ticket, context: dict) -> str:
    """Enrichment step: score the new ticket's first customer message; the history's analysis
    line says ``sentiment=negative (p)`` when it showed anger or distress."""
    first = (
        Message.objects.filter(ticket_id=ticket.pk, kind=Message.Kind.CUSTOMER)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    row = message_score(message_id=first) if first is not None else None
    if row is None or not row.distressed:
        return ""  # a calm message adds nothing to the ticket's history
    return f"sentiment={row.label} ({row.negative:.2f})"


def sentiment_on_change(change: Change) -> None:
    """In the change's transaction: queue the scoring of a customer's message joining a ticket
    (a new ticket's first message is scored by its analysis; one created without analysis, here)."""
    message_id: Any = None
    if CUSTOMER_MESSAGE in change.values:
        message_id = change.values[CUSTOMER_MESSAGE][1]
    elif change.message is not None and change.ticket is not None and not change.ticket.analysing:
        message_id = change.message.pk if _scorable(change.message) else None
    if message_id is None:
        return
    from .tasks import message_sentiment_task

    enqueue_with_change(message_sentiment_task, message_id=int(message_id))


def sentiment_sweep(*, limit: int = 200) -> int:
    """Score the recent customer messages a lost task left unscored (older than a minute)."""
    from datetime import timedelta

    from django.utils import timezone

    last = Message.objects.aggregate(m=Max("id"))["m"] or 0
    ids = list(
        Message.objects.filter(
            id__gt=last - SWEEP_WINDOW, kind=Message.Kind.CUSTOMER, hold="", auto_submitted=False,
            created_at__lt=timezone.now() - timedelta(minutes=1), sentiment__isnull=True,
            ticket__analysing=False,
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )  # fmt: skip
    done = 0
    for message_id in ids:
        try:
            done += message_score(message_id=message_id) is not None
        except Exception:
            logger.exception("sentiment sweep failed on message %s", message_id)
    return done
