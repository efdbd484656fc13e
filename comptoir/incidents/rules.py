"""The automatic linking rule, a step of a new ticket's enrichment (in the worker).

A new ticket joins each open incident whose service it names (the service's ticket category, or
one of its keywords in the subject or first message) and, when the incident has an area, whose
area it is in (the customer's area, or a postal code or district named in the text). See
``matching.rule_applies``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from comptoir.tickets.models import Message

from .matching import rule_applies, ticket_match
from .models import Incident

if TYPE_CHECKING:
    from comptoir.tickets.models import Ticket


def incident_rules_enrich(ticket: Ticket, context: dict) -> str:
    """Enrichment step: link the ticket to the open incidents the rule matches; says which."""
    incidents = list(
        Incident.objects.filter(status__in=Incident.OPEN_STATUSES, service__isnull=False).select_related(
            "service"
        )
    )
    if not incidents:
        return ""
    first = (
        Message.objects.filter(ticket_id=ticket.pk, kind=Message.Kind.CUSTOMER)
        .order_by("id")
        .values_list("body", flat=True)
        .first()
    )
    text = f"{ticket.subject}\n{first or ''}"
    linked = []
    for incident in incidents:
        match = ticket_match(
            incident, text=text, category_id=ticket.category_id, customer_area=ticket.customer.area
        )
        if rule_applies(incident, match):
            from .services import incident_link_by_rule

            if incident_link_by_rule(incident=incident, ticket=ticket):
                linked.append(incident.reference)
    return f"incident={','.join(linked)}" if linked else ""
