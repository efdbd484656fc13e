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


@register.inclusion_tag("desk/_customer_coverage.html", takes_context=True)
def customer_coverage_card(context: dict[str, Any], customer: Any) -> dict[str, Any]:
    """``{% customer_coverage_card customer %}``: the customer's area and followed services, for
    the proactive broadcasts of incidents."""
    from comptoir.incidents.selectors import customer_services

    return {
        "customer": customer, "request": context["request"],
        "services": customer_services(customer_id=customer.pk),
    }  # fmt: skip
