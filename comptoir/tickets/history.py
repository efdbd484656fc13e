"""History values in the reader's language.

Some events keep a machine-readable value (the triage note ``language=fr (1.00); team=…; by=model
(0.96); triage queue``, the worker's analysis ``by=model (0.91); category=meter; assignee=…;
duration=12``, the escalation ``level 2: reason``) so that figures and audits can read
them; this turns them into words at display time, so that a French desk does not show codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.formats import number_format
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from .review import review_reason_text

if TYPE_CHECKING:
    from .models import TicketEvent

_PART = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>.*)$")
_OUTAGE = re.compile(r"^outage reported (?P<count>\d+) times within an hour$")
_SCORE = re.compile(r"^(?P<code>\S+) \((?P<score>[\d.]+)\)$")


def _language(code: str) -> str:
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def _category(slug: str, names: HistoryNames | None = None) -> str:
    """A category's name in the reader's language (one query, or none when ``names`` holds it)."""
    from .models import Category

    if names is not None and slug in names.categories:
        return names.category(slug)
    category = Category.objects.filter(slug=slug).first()
    return str(category) if category is not None else slug


def _triage_part(part: str, names: HistoryNames | None = None) -> str:
    match = _PART.match(part)
    if match is None:
        fixed = {
            "triage queue": _("in the triage queue"),
            "default team": _("default team"),
            "key account": _("key account"),
        }
        if part in fixed:
            return str(fixed[part])
        for prefix, text in (
            ("safety word: ", _("safety word: %(detail)s")),
            ("tone: ", _("tone: %(detail)s")),
        ):
            if part.startswith(prefix):
                return text % {"detail": part[len(prefix) :]}
        outage = _OUTAGE.match(part)
        if outage:
            return _("outage reported %(count)s times within an hour") % {"count": outage["count"]}
        return part
    key, value = match["key"], match["value"]
    scored = _SCORE.match(value)
    code, score = (scored["code"], scored["score"]) if scored else (value, "")
    if key == "language":
        shown = _language(code)
    elif key == "category":
        shown = _category(code, names)
    elif key == "by":
        shown = {
            "rule": _("a rule"),
            "model": _("the classifier"),
            "none": _("undecided"),
            "analysis": _("the analysis that follows"),
        }.get(code, code)
    elif key == "sentiment":  # voice's analysis: the label, then p(negative)
        tones = {"negative": _("negative"), "neutral": _("neutral"), "positive": _("positive")}
        shown = tones.get(code, code)
    elif key == "duration":
        shown = _("%(ms)s ms") % {"ms": code}
    else:
        shown = code
    if score:
        shown = f"{shown} ({number_format(float(score), 2)})"
    label = {
        "language": _("language"),
        "category": _("category"),
        "team": _("team"),
        "priority": _("priority"),
        "by": _("decided by"),
        "assignee": _("assigned to"),
        "duration": _("duration"),
        "failed": _("step that failed"),
        "sentiment": _("tone of the message"),
    }.get(key, key)
    return _("%(label)s: %(value)s") % {"label": label, "value": shown}


def _escalation(value: str) -> str:
    target, sep, reason = value.partition(": ")
    shown = {"level 1": _("Level 1"), "level 2": _("Level 2"), "supervisor": _("to a supervisor")}.get(target)
    if shown is None:
        return value
    return _("%(target)s: %(reason)s") % {"target": shown, "reason": reason} if sep else str(shown)


def event_value_label(field: str, value: str) -> str:
    """``value`` of an event of ``field`` as a reader of the current language should see it."""
    if field in ("triage", "enrichment"):
        return " · ".join(_triage_part(part.strip()) for part in value.split(";") if part.strip())
    if field == "escalation":
        return _escalation(value)
    if field == "category" and value:
        return _category(value)
    return value


# --- History as sentences -------------------------------------------------------------------------
# Each event is stored structured (field, old, new, actor); what a person reads is one sentence in
# their language, built here at read time. ``SENTENCES`` maps a ``TicketEvent.Kind`` value to its
# writer; a kind without one (added later by another app) still reads as a sentence (the fallback).

AUTOMATIC_ACTOR = "Comptoir"  # a proper noun in both languages: who acted when no person did


class HistoryNames:
    """Names for the codes a history stores (agents' emails, category slugs), fetched once for a
    whole history (two queries at most), so that a long history costs the same as a short one."""

    EMAIL_FIELDS = ("assignee", "reply_held", "reply_approved", "pick", "next", "skip")

    def __init__(self, events: Sequence[TicketEvent] = ()) -> None:
        from comptoir.accounts.models import User

        from .models import Category

        emails = {
            value for e in events if e.field in self.EMAIL_FIELDS for value in (e.old, e.new) if "@" in value
        }
        slugs = {value for e in events if e.field == "category" for value in (e.old, e.new) if value}
        for e in events:
            if e.field in ("triage", "enrichment"):
                slugs.update(m["slug"] for m in _SLUG.finditer(e.new))
        self.people: dict[str, str] = (
            {
                email: name or email
                for email, name in User.objects.filter(email__in=emails).values_list("email", "name")
            }
            if emails
            else {}
        )
        self.categories: dict[str, Category] = (
            {c.slug: c for c in Category.objects.filter(slug__in=slugs)} if slugs else {}
        )

    def person(self, email: str) -> str:
        return self.people.get(email, email)

    def category(self, slug: str) -> str:
        category = self.categories.get(slug)
        return str(category) if category is not None else slug


_SLUG = re.compile(r"(?:^|;)\s*category=(?P<slug>[^\s;]+)")


def _choice(enum: Any, value: str) -> str:
    key: str | int = int(value) if value.isdigit() else value
    return str(enum(key).label) if key in enum.values else value


def _changed(messages: tuple[str, str, str], who: str, old: str, new: str) -> str:
    """One of a field's three sentences: changed from A to B, set to B, cleared (was A). Whole
    sentences per field, not a pattern with the field's name in it: French nouns have a gender."""
    changed, set_, cleared = messages
    text = changed if old and new else set_ if new else cleared
    return text % {"actor": who, "old": old, "new": new}


def _status(e: TicketEvent, who: str, names: HistoryNames) -> str:
    from .models import Ticket

    messages = (
        _("%(actor)s changed the status from %(old)s to %(new)s."),
        _("%(actor)s set the status to %(new)s."),
        _("%(actor)s cleared the status (was %(old)s)."),
    )
    return _changed(messages, who, _choice(Ticket.Status, e.old), _choice(Ticket.Status, e.new))


def _priority(e: TicketEvent, who: str, names: HistoryNames) -> str:
    from .models import Ticket

    messages = (
        _("%(actor)s changed the priority from %(old)s to %(new)s."),
        _("%(actor)s set the priority to %(new)s."),
        _("%(actor)s cleared the priority (was %(old)s)."),
    )
    return _changed(messages, who, _choice(Ticket.Priority, e.old), _choice(Ticket.Priority, e.new))


def _level(e: TicketEvent, who: str, names: HistoryNames) -> str:
    from .models import Ticket

    messages = (
        _("%(actor)s moved the ticket from %(old)s to %(new)s."),
        _("%(actor)s put the ticket at %(new)s."),
        _("%(actor)s cleared the level (was %(old)s)."),
    )
    return _changed(messages, who, _choice(Ticket.Level, e.old), _choice(Ticket.Level, e.new))


def _category_changed(e: TicketEvent, who: str, names: HistoryNames) -> str:
    messages = (
        _("%(actor)s changed the category from %(old)s to %(new)s."),
        _("%(actor)s set the category to %(new)s."),
        _("%(actor)s removed the category %(old)s."),
    )
    return _changed(messages, who, names.category(e.old), names.category(e.new))


def _team(e: TicketEvent, who: str, names: HistoryNames) -> str:
    values = {"actor": who, "old": e.old, "new": e.new}
    if e.old and e.new:
        return _("%(actor)s moved the ticket from team %(old)s to team %(new)s.") % values
    if e.new:
        return _("%(actor)s put the ticket in team %(new)s.") % values
    return _("%(actor)s took the ticket out of team %(old)s.") % values


def _assignee(e: TicketEvent, who: str, names: HistoryNames) -> str:
    values = {"actor": who, "old": names.person(e.old), "new": names.person(e.new)}
    if e.old and e.new:
        return _("%(actor)s reassigned the ticket from %(old)s to %(new)s.") % values
    if e.new:
        return _("%(actor)s assigned the ticket to %(new)s.") % values
    return _("%(actor)s unassigned %(old)s; the ticket is back in the queue.") % values


def _created(e: TicketEvent, who: str, names: HistoryNames) -> str:
    from .models import Channel

    return _("%(actor)s opened the ticket (channel: %(channel)s).") % {
        "actor": who, "channel": _choice(Channel, e.new),
    }  # fmt: skip


def _attachment(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s attached the file %(file)s.") % {"actor": who, "file": e.new}


def _configuration_item(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s linked the configuration item %(item)s.") % {"actor": who, "item": e.new}


def _linked_to(e: TicketEvent, who: str, names: HistoryNames) -> str:
    if e.new:
        return _("%(actor)s linked this ticket to %(reference)s.") % {"actor": who, "reference": e.new}
    return _("%(actor)s removed the link to %(reference)s.") % {"actor": who, "reference": e.old}


def _review_reason(e: TicketEvent, who: str, names: HistoryNames) -> str:
    if e.new:
        return _("Flagged for review: %(reason)s") % {"reason": review_reason_text(e.new)}
    return _("%(actor)s marked the ticket as reviewed.") % {"actor": who}


def _customer(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s moved the ticket from customer record %(old)s to %(new)s.") % {
        "actor": who, "old": e.old, "new": e.new,
    }  # fmt: skip


def _escalation_sentence(e: TicketEvent, who: str, names: HistoryNames) -> str:
    target, _sep, reason = e.new.partition(": ")
    values = {"actor": who, "reason": reason}
    if target == "level 1":
        if reason:
            return _("%(actor)s sent the ticket back to level 1: %(reason)s") % values
        return _("%(actor)s sent the ticket back to level 1.") % values
    if target == "level 2":
        if reason:
            return _("%(actor)s escalated the ticket to level 2: %(reason)s") % values
        return _("%(actor)s escalated the ticket to level 2.") % values
    if target == "supervisor":
        if reason:
            return _("%(actor)s escalated the ticket to a supervisor: %(reason)s") % values
        return _("%(actor)s escalated the ticket to a supervisor.") % values
    return _("%(actor)s escalated the ticket: %(reason)s") % {"actor": who, "reason": e.new}


def _sla_target(code: str) -> str:
    from comptoir.sla.models import Target

    return _choice(Target, code)


def _sla_warning(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("SLA warning: %(target)s is due soon.") % {"target": _sla_target(e.new)}


def _sla_breach(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("SLA target missed: %(target)s.") % {"target": _sla_target(e.new)}


def _note_parts(note: str, names: HistoryNames) -> tuple[str, list[str]]:
    """The detected language (worded apart: it is what a reader looks for) and the other parts."""
    language = ""
    parts = []
    for part in (p.strip() for p in note.split(";")):
        if not part:
            continue
        if part.startswith("language="):
            scored = _SCORE.match(part[len("language=") :])
            code, score = (scored["code"], scored["score"]) if scored else (part[len("language=") :], "")
            language = _language(code) + (f" ({number_format(float(score), 2)})" if score else "")
        else:
            parts.append(_triage_part(part, names))
    return language, parts


def _triage(e: TicketEvent, who: str, names: HistoryNames) -> str:
    language, parts = _note_parts(e.new, names)
    sentences = []
    if language:
        sentences.append(_("Language detected: %(language)s.") % {"language": language})
    if parts:
        sentences.append(_("Automatic triage: %(details)s.") % {"details": " · ".join(parts)})
    return " ".join(sentences) or _("Automatic triage.")


def _enrichment(e: TicketEvent, who: str, names: HistoryNames) -> str:
    language, parts = _note_parts(e.new, names)
    if language:
        parts.insert(0, _("language detected: %(language)s") % {"language": language})
    return _("Analysis done: %(details)s.") % {"details": " · ".join(parts)}


def _pick(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s took the ticket from the queue.") % {"actor": who}


def _next(e: TicketEvent, who: str, names: HistoryNames) -> str:
    if "@" in e.new or not e.new:
        return _("%(actor)s got the ticket with Next ticket.") % {"actor": who}
    return _("The ticket was assigned automatically to %(actor)s.") % {"actor": who}


def _skip(e: TicketEvent, who: str, names: HistoryNames) -> str:
    if e.new:
        return _("%(actor)s handed the ticket back: %(reason)s") % {"actor": who, "reason": e.new}
    return _("%(actor)s handed the ticket back.") % {"actor": who}


def _reply_held(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s wrote a reply that waits for approval by %(senior)s.") % {
        "actor": who, "senior": names.person(e.new),
    }  # fmt: skip


def _reply_approved(e: TicketEvent, who: str, names: HistoryNames) -> str:
    if e.new:
        return _("%(actor)s approved the reply of %(author)s; it was sent.") % {
            "actor": who, "author": names.person(e.new),
        }  # fmt: skip
    return _("%(actor)s approved a held reply; it was sent.") % {"actor": who}


def _message_held(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return str(_("A message was held: nothing proves who sent it."))


def _message_accepted(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s accepted the held message as the customer's.") % {"actor": who}


def _message_rejected(e: TicketEvent, who: str, names: HistoryNames) -> str:
    return _("%(actor)s rejected the held message.") % {"actor": who}


SentenceWriter = Callable[["TicketEvent", str, HistoryNames], str]

SENTENCES: dict[str, SentenceWriter] = {
    "created": _created,
    "status": _status,
    "priority": _priority,
    "team": _team,
    "assignee": _assignee,
    "category": _category_changed,
    "attachment": _attachment,
    "configuration_item": _configuration_item,
    "linked_to": _linked_to,
    "review_reason": _review_reason,
    "customer": _customer,
    "level": _level,
    "escalation": _escalation_sentence,
    "sla_warning": _sla_warning,
    "sla_breach": _sla_breach,
    "triage": _triage,
    "pick": _pick,
    "next": _next,
    "skip": _skip,
    "reply_held": _reply_held,
    "reply_approved": _reply_approved,
    "message_held": _message_held,
    "message_accepted": _message_accepted,
    "message_rejected": _message_rejected,
    "enrichment": _enrichment,
}


def _fallback(e: TicketEvent, who: str, names: HistoryNames) -> str:
    """A kind without its own sentence: still a sentence, with the kind's translated label."""
    values = {"actor": who, "field": e.field_label, "old": e.old_label, "new": e.new_label}
    if e.old and e.new:
        return _("%(actor)s changed “%(field)s” from %(old)s to %(new)s.") % values
    if e.new:
        return _("%(actor)s set “%(field)s” to %(new)s.") % values
    return _("%(actor)s cleared “%(field)s” (was %(old)s).") % values


def event_sentence(event: TicketEvent, names: HistoryNames | None = None) -> str:
    """The event as one sentence in the current language ("Marie Tremblay changed the priority
    from P3 – normal to P1 – critical."); the stored row stays structured."""
    who = event.actor_label or AUTOMATIC_ACTOR
    writer = SENTENCES.get(event.field, _fallback)
    return str(writer(event, who, names if names is not None else HistoryNames([event])))


def history_sentences(events: Sequence[TicketEvent]) -> list[TicketEvent]:
    """The events with ``sentence`` filled in the current language (names fetched once)."""
    names = HistoryNames(events)
    for event in events:
        event.__dict__["sentence"] = event_sentence(event, names)  # fills the cached_property
    return list(events)
