"""Cheap labels for long lists: ``get_FOO_display`` rebuilds the choices on every call."""

from __future__ import annotations

from django import template

from comptoir.tickets.models import Ticket

register = template.Library()

_STATUS = dict(Ticket.Status.choices)


@register.filter
def status_label(value: str) -> str:
    """The translated label of a status code (looked up, not rebuilt, for each row)."""
    return str(_STATUS.get(value, value))


@register.filter
def time_left(due) -> str:  # type: ignore[no-untyped-def]
    """ "in 2 h 05 min" or "late by 40 min" (wall-clock time until the due instant); "—" for none."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from comptoir.tickets.models import DUE_NEVER

    if due is None or due >= DUE_NEVER:
        return "—"
    seconds = int((due - timezone.now()).total_seconds())
    if abs(seconds) < 60:  # never "late by 0 min"
        return _("late by less than a minute") if seconds < 0 else _("due in less than a minute")
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        span = _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    elif hours:
        span = _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": mins}
    else:
        span = _("%(minutes)s min") % {"minutes": mins}
    if seconds < 0:
        return _("late by %(span)s") % {"span": span}
    return _("in %(span)s") % {"span": span}


@register.filter
def clock(ticket) -> str:  # type: ignore[no-untyped-def]
    """The ticket's time left, or "paused" while it waits on the customer under an SLA policy."""
    from django.utils.translation import gettext as _

    from comptoir.tickets.sla import sla_paused

    if sla_paused(ticket):
        return _("paused (waiting on the customer)")
    if ticket.status in ("resolved", "closed"):  # no clock runs: say so rather than a bare "—"
        return _("clock stopped: resolved") if ticket.status == "resolved" else _("clock stopped: closed")
    return time_left(ticket.due_at)


@register.filter
def review_text(stored: str) -> str:
    """A review flag or a held message's reason, stored as codes, in the reader's language."""
    from comptoir.tickets.review import review_reason_text

    return review_reason_text(stored or "")
