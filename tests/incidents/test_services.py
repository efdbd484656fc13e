"""Declaring, changing and linking (issue 13, item 1): each link in the ticket's history."""

from __future__ import annotations

import pytest
from django.utils import translation

from comptoir.common.exceptions import InvalidInput, PermissionDenied
from comptoir.incidents.models import Incident, IncidentTicket
from comptoir.incidents.selectors import incident_suggested_tickets, incidents_for_ticket
from comptoir.incidents.services import (
    incident_declare,
    incident_link_tickets,
    incident_update,
)
from comptoir.tickets.selectors import ticket_history
from tests.factories import AgentFactory


def _sentences(ticket, language="en"):
    with translation.override(language):
        return [e.sentence for e in ticket_history(ticket=ticket)]


def test_declare_from_a_ticket_links_it_with_a_history_line(agent, electricity, make_ticket):
    ticket = make_ticket(subject="Question de facture", body="Ma facture de mars est incorrecte.")
    incident = incident_declare(
        actor=agent, title="Panne", service_slug="electricity", ticket_reference=ticket.reference
    )
    assert incident.source_ticket == ticket and incident.declared_by == agent
    assert list(IncidentTicket.objects.filter(incident=incident).values_list("ticket_id", "how")) == [
        (ticket.pk, "manual")
    ]
    assert f"linked this ticket to incident {incident.reference}." in " ".join(_sentences(ticket))
    assert incidents_for_ticket(ticket_id=ticket.pk) == [incident]


def test_declare_needs_a_service_or_an_area_and_an_agent(agent, electricity, db):
    with pytest.raises(InvalidInput):
        incident_declare(actor=agent, title="Rien")
    with pytest.raises(InvalidInput):
        incident_declare(actor=agent, title="Inconnu", service_slug="gas")
    assert incident_declare(actor=agent, title="Quartier", area="H2X").area == "H2X"
    outsider = AgentFactory(is_agent=False)
    with pytest.raises(PermissionDenied):
        incident_declare(actor=outsider, title="Panne", area="75")


def test_linking_twice_links_once_and_reports_unknown_references(agent, incident, make_ticket):
    a = make_ticket(subject="Facture", body="Ma facture est fausse.")
    b = make_ticket(subject="Autre", body="Une autre question sur mon contrat.")
    first = incident_link_tickets(
        actor=agent, incident_id=incident.pk, references=[a.reference, "CPT-999999"]
    )
    again = incident_link_tickets(actor=agent, incident_id=incident.pk, references=[a.reference, b.reference])
    assert (first.linked, first.not_found) == ([a.reference], ["CPT-999999"])
    assert (again.linked, again.already) == ([b.reference], [a.reference])
    assert IncidentTicket.objects.filter(incident=incident).count() == 2
    assert sum(e.field == "incident_linked" for e in ticket_history(ticket=a)) == 1


def test_patch_changes_given_fields_and_refuses_resolving(agent, incident):
    incident_update(actor=agent, incident_id=incident.pk, status="identified", area="750")
    incident.refresh_from_db()
    assert (incident.status, incident.area, incident.title) == (
        "identified",
        "750",
        "Coupure de courant Paris 11e",
    )
    with pytest.raises(InvalidInput):
        incident_update(actor=agent, incident_id=incident.pk, status="resolved")
    with pytest.raises(InvalidInput):
        incident_update(actor=agent, incident_id=incident.pk, service_slug=None, area="")


def test_the_rule_links_new_tickets_naming_the_service_in_the_area(agent, incident, make_ticket):
    """The enrichment's rule (run at once by the tests' task backend): service words and the
    area both; a ticket in the area about something else, or elsewhere, is not linked."""
    hit = make_ticket(subject="Plus de courant", body="Coupure de courant depuis ce matin au 75011 Paris.")
    other_subject = make_ticket(subject="Facture", body="Ma facture est fausse, j'habite au 75011.")
    elsewhere = make_ticket(subject="Coupure de courant", body="Plus de courant à Lyon 69003 ce matin.")
    linked = set(IncidentTicket.objects.filter(incident=incident).values_list("ticket_id", "how"))
    assert linked == {(hit.pk, "rule")}
    assert "Linked to incident" in " ".join(_sentences(hit))
    assert not incidents_for_ticket(ticket_id=other_subject.pk) and not incidents_for_ticket(
        ticket_id=elsewhere.pk
    )


def test_suggestions_say_why_and_leave_out_linked_and_old_tickets(agent, incident, make_ticket):
    incident_update(actor=agent, incident_id=incident.pk, area="")  # the rule would link by area
    near = make_ticket(subject="Panne de lumière", body="Coupure de courant dans mon appartement.")
    far = make_ticket(subject="Contrat", body="Je voudrais changer l'adresse de mon contrat.")
    found = {s.ticket.reference: s for s in incident_suggested_tickets(actor=agent, incident=incident)}
    assert near.reference not in found  # already linked by the rule (service words)
    IncidentTicket.objects.filter(ticket=near).delete()
    found = {s.ticket.reference: s for s in incident_suggested_tickets(actor=agent, incident=incident)}
    assert far.reference not in found
    codes = [code for code, _text in found[near.reference].reasons]
    assert "service" in codes and "text" in codes
    assert not incident_suggested_tickets(
        actor=agent, incident=incident, hours=1, now=near.created_at.replace(year=2100)
    )


def test_resolved_incident_takes_no_links(agent, incident, make_ticket):
    Incident.objects.filter(pk=incident.pk).update(status="resolved")
    with pytest.raises(InvalidInput):
        incident_link_tickets(actor=agent, incident_id=incident.pk, references=["CPT-000001"])
