"""The public status page and the tracking page (issue 13): open incidents and their updates in
the visitor's language, resolved ones for a week, and nothing internal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.incidents.models import Incident, Service
from comptoir.incidents.services import (
    incident_declare,
    incident_link_tickets,
    incident_publish_update,
    incident_resolve,
)
from comptoir.tickets.tracking import make_token


@pytest.fixture
def outage(agent, db):
    Service.objects.create(slug="power", name_fr="Électricité", name_en="Electricity")
    incident = incident_declare(
        actor=agent, title="Panne secteur Plateau", service_slug="power", area="H2T",
        workaround_fr="Bornes de recharge ouvertes au parc.",
        workaround_en="Charging points open in the park.",
        next_update_at=timezone.now() + timedelta(hours=2),
    )  # fmt: skip
    incident_publish_update(
        actor=agent, incident_id=incident.pk, body_fr="Équipes en route.", body_en="Crews on their way."
    )
    return incident


def test_status_page_in_the_visitors_language_without_internal_fields(outage, agent, make_ticket):
    ticket = make_ticket(subject="Secret interne", email="privee@example.test")
    incident_link_tickets(actor=agent, incident_id=outage.pk, references=[ticket.reference])
    fr = Client(headers={"Accept-Language": "fr"}).get("/status/")
    en = Client(headers={"Accept-Language": "en"}).get("/status/")
    assert fr.status_code == en.status_code == 200
    fr_text, en_text = fr.content.decode(), en.content.decode()
    assert "Panne secteur Plateau" in fr_text and "Équipes en route." in fr_text and "Électricité" in fr_text
    assert "Bornes de recharge ouvertes au parc." in fr_text and "Crews on their way." not in fr_text
    assert "Crews on their way." in en_text and "Charging points open in the park." in en_text
    assert "Équipes en route." not in en_text
    for text in (fr_text, en_text):
        for internal in (agent.email, agent.name, ticket.reference, "Secret interne", "privee@example.test"):
            assert internal not in text, internal


def test_resolved_incidents_stay_a_week_then_leave(outage, agent):
    client = Client(headers={"Accept-Language": "en"})
    incident_resolve(actor=agent, incident_id=outage.pk, body_fr="Rétabli.", body_en="Power is back.")
    page = client.get("/status/").content.decode()
    assert "No incident is in progress." in page
    assert "Recently resolved" in page and "Power is back." in page
    assert "Charging points open in the park." not in page  # the workaround is over
    Incident.objects.filter(pk=outage.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    assert "Panne secteur Plateau" not in client.get("/status/").content.decode()


def test_tracking_page_shows_the_incident_of_the_request(outage, agent, make_ticket):
    linked = make_ticket(subject="Pas de courant", language="en")
    other = make_ticket(subject="Facture", language="en")
    incident_link_tickets(actor=agent, incident_id=outage.pk, references=[linked.reference])
    client = Client(headers={"Accept-Language": "en"})
    page = client.get(f"/track/{make_token(linked.tracking_uid)}/").content.decode()
    assert 'data-testid="ticket-incidents"' in page and "Crews on their way." in page
    assert (
        'data-testid="ticket-incidents"'
        not in client.get(f"/track/{make_token(other.tracking_uid)}/").content.decode()
    )


def test_status_page_is_get_only(client, db):
    assert client.post("/status/").status_code == 405


def test_every_portal_page_links_to_the_status_page(db):
    page = Client(headers={"Accept-Language": "fr"}).get("/").content.decode()
    assert 'href="/status/"' in page and "État des services" in page
