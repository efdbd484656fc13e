"""``{% ticket_suggestions_card ticket %}``: the Suggestions card on a desk ticket page (issue 11),
one line in the page's template; the view behind its polling is ``desk.views.suggestions``."""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.tickets.models import Ticket

from ..views.suggestions import suggestions_context

register = template.Library()


@register.inclusion_tag("desk/_ticket_suggestions.html", takes_context=True)
def ticket_suggestions_card(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    actions = context.get("actions")
    may_reply = bool(actions.reply) if actions is not None else None
    return {
        "request": context["request"],
        **suggestions_context(context["request"], ticket, may_reply=may_reply),
    }
