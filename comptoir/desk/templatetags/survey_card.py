"""The survey's line on a desk ticket page (issue 12, item 4): ``{% ticket_survey_card ticket %}``,
one query (``surveys.selectors.survey_for_ticket``); nothing when the ticket has no survey."""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.surveys.selectors import survey_for_ticket
from comptoir.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("desk/voc_survey_card.html", takes_context=True)
def ticket_survey_card(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    return {"survey": survey_for_ticket(actor=context["request"].user, ticket=ticket), "ticket": ticket}
