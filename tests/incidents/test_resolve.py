"""Resolving (issue 13, item 3): the final update resolves the linked tickets in one action,
each with the update as a public reply, recorded in its history; their customers are not sent
the broadcast on top of the reply."""

from __future__ import annotations

import pytest
from django.utils import translation

from comptoir.common.exceptions import InvalidInput
from comptoir.customers.models import Customer, Identity
from comptoir.incidents.broadcast import broadcast_run
from comptoir.incidents.models import IncidentTicket
from comptoir.incidents.services import incident_link_tickets, incident_resolve
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.selectors import ticket_history
from comptoir.tickets.services import ticket_update


def test_resolution_cascade_is_recorded_in_each_ticket(agent, incident, make_ticket):
    fr = make_ticket(
        email="fr@example.test", subject="Plus de courant", body="Coupure de courant.", language="fr"
    )
    en = make_ticket(email="en@example.test", subject="No power", body="Power cut since 8am.", language="en")
    done = make_ticket(email="done@example.test", subject="Courant", body="Coupure de courant.")
    incident_link_tickets(
        actor=agent, incident_id=incident.pk, references=[fr.reference, en.reference, done.reference]
    )
    done.refresh_from_db()
    ticket_update(ticket_id=done.pk, actor=agent, version=done.version, status="closed")
    bystander = Customer.objects.create(name="Voisin", area="75011", language="en")
    Identity.objects.create(customer=bystander, kind="email", value="voisin@example.test")

    outcome = incident_resolve(
        actor=agent, incident_id=incident.pk, body_fr="Le courant est rétabli.",
        body_en="Power is back.", resolve_tickets=True,
    )  # fmt: skip
    assert sorted(outcome.resolved) == sorted([fr.reference, en.reference]) and not outcome.refused
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at is not None
    for ticket, text in ((fr, "Le courant est rétabli."), (en, "Power is back.")):
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.RESOLVED
        reply = Message.objects.filter(ticket=ticket, kind=Message.Kind.PUBLIC).get()
        assert reply.body.startswith(text) and reply.author == agent
        events = ticket_history(ticket=ticket)
        assert [e.new for e in events if e.field == "status"][-1] == "resolved"
        assert [e.new for e in events if e.field == "incident_resolved"] == [str(incident.pk)]
        with translation.override("en"):
            sentences = " ".join(e.sentence for e in ticket_history(ticket=ticket))
        assert f"resolved this ticket with incident {incident.reference}" in sentences
        assert Delivery.objects.filter(ticket=ticket, kind="reply").count() == 1
    assert IncidentTicket.objects.filter(incident=incident, resolved_by=outcome.update).count() == 2
    assert Ticket.objects.get(pk=done.pk).status == "closed"  # already closed: left alone

    broadcast_run(update_id=outcome.update.pk)
    reached = set(Delivery.objects.filter(kind="incident").values_list("recipient", flat=True))
    # The closed ticket's customer and the bystander in the area hear it; the two answered do not.
    assert reached == {"done@example.test", "voisin@example.test"}
    closing = Delivery.objects.get(kind="incident", recipient="voisin@example.test")
    assert "Resolved" in closing.subject and "Power is back." in closing.body


def test_resolution_without_cascade_leaves_tickets_open(agent, incident, make_ticket):
    ticket = make_ticket(subject="Plus de courant", body="Coupure de courant.")
    incident_link_tickets(actor=agent, incident_id=incident.pk, references=[ticket.reference])
    outcome = incident_resolve(actor=agent, incident_id=incident.pk, body_fr="Rétabli.", body_en="Back.")
    assert outcome.resolved == [] and Ticket.objects.get(pk=ticket.pk).is_open
    with pytest.raises(InvalidInput):  # resolved: no more updates
        incident_resolve(actor=agent, incident_id=incident.pk, body_fr="Encore.", body_en="Again.")
