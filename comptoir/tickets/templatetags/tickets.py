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
