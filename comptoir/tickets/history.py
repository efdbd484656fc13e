"""History values in the reader's language.

Some events keep a machine-readable value (the triage note ``language=fr (1.00); team=…; by=model
(0.96); triage queue``, the worker's analysis ``by=model (0.91); category=meter; assignee=…;
duration=12``, the escalation ``level 2: reason``) so that figures and audits can read
them; this turns them into words at display time, so that a French desk does not show codes.
"""

from __future__ import annotations

import re

from django.utils.formats import number_format
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

_PART = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>.*)$")
_OUTAGE = re.compile(r"^outage reported (?P<count>\d+) times within an hour$")
_SCORE = re.compile(r"^(?P<code>\S+) \((?P<score>[\d.]+)\)$")


def _language(code: str) -> str:
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def _category(slug: str) -> str:
    """A category's name in the reader's language (one query; a history has few such rows)."""
    from .models import Category

    category = Category.objects.filter(slug=slug).first()
    return str(category) if category is not None else slug


def _triage_part(part: str) -> str:
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
        shown = _category(code)
    elif key == "by":
        shown = {
            "rule": _("a rule"),
            "model": _("the classifier"),
            "none": _("undecided"),
            "analysis": _("the analysis that follows"),
        }.get(code, code)
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
