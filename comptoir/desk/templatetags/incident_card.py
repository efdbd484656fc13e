"""The incidents and problems a desk ticket is linked to, and "Declare incident" from it (issue 13)."""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.incidents.problems import problems_for_ticket
from comptoir.incidents.selectors import incidents_for_ticket
from comptoir.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("desk/_incident_card.html")
def ticket_incident_card(ticket: Ticket) -> dict[str, Any]:
    """``{% ticket_incident_card ticket %}``: two queries."""
    return {
        "ticket": ticket, "incidents": incidents_for_ticket(ticket_id=ticket.pk),
        "problems": problems_for_ticket(ticket_id=ticket.pk),
    }  # fmt: skip
