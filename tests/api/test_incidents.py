"""The incidents API (issue 13): agents only; declare, read, patch, link, suggestions, updates
and their progress; a retried update is published once."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.incidents.models import IncidentTicket, IncidentUpdate, Service
from comptoir.outbox.models import Delivery
from comptoir.tickets.tracking import make_token
from tests.factories import AgentFactory


@pytest.fixture
def service(db):
    return Service.objects.create(slug="water", name_fr="Eau", name_en="Water", keywords="eau, water, fuite")


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def _declare(api_client, **extra):
    body = {"title": "Fuite rue Ontario", "service": "water", "area": "H2L", "impact": "critical", **extra}
    response = _post(api_client, "/api/v1/incidents", body)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_declare_read_patch(api_client, service, make_ticket):
    ticket = make_ticket(subject="Plus d'eau", body="Je n'ai plus d'eau depuis hier.")
    incident_id = _declare(
        api_client, workaround_fr="Eau en bouteille au 12 rue Ontario.",
        workaround_en="Bottled water at 12 Ontario St.", next_update_at="2030-01-01T10:00:00Z",
        ticket=ticket.reference,
    )  # fmt: skip
    got = api_client.get(f"/api/v1/incidents/{incident_id}").json()
    assert (got["service"], got["area"], got["impact"], got["status"]) == (
        "water",
        "H2L",
        "critical",
        "investigating",
    )
    assert got["tickets"] == [ticket.reference] and got["source_ticket"] == ticket.reference
    response = api_client.patch(
        f"/api/v1/incidents/{incident_id}", json.dumps({"status": "identified", "next_update_at": None}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["next_update_at"]) == ("identified", None)
    bad = api_client.patch(
        f"/api/v1/incidents/{incident_id}",
        json.dumps({"status": "resolved"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert _post(api_client, "/api/v1/incidents", {"title": "Sans lieu"}).status_code == 422
    assert _post(api_client, "/api/v1/incidents", {"title": "X", "area": "1", "secret": 1}).status_code == 422


def test_link_and_suggestions(api_client, service, make_ticket):
    incident_id = _declare(api_client, area="")
    a = make_ticket(subject="Question", body="Une question sur mon contrat.")
    b = make_ticket(subject="Fuite d'eau", body="Une fuite d'eau dans la rue, plus d'eau au robinet.")
    IncidentTicket.objects.filter(ticket=b).delete()  # linked by the rule (service words): unlink it
    suggested = api_client.get(f"/api/v1/incidents/{incident_id}/suggested-tickets").json()["items"]
    assert [s["reference"] for s in suggested] == [b.reference]
    assert {r["code"] for r in suggested[0]["reasons"]} >= {"service"}
    response = _post(
        api_client, f"/api/v1/incidents/{incident_id}/tickets", {"references": [a.reference, "CPT-0"]}
    )
    assert response.json() == {"linked": [a.reference], "already": [], "not_found": ["CPT-0"]}
    again = _post(api_client, f"/api/v1/incidents/{incident_id}/tickets", {"references": [a.reference]})
    assert again.json()["already"] == [a.reference]


def test_update_progress_and_idempotency(
    api_client, service, make_ticket, django_capture_on_commit_callbacks
):
    incident_id = _declare(api_client)
    ticket = make_ticket(email="abonne@example.test", subject="Fuite", body="Fuite d'eau chez moi.")
    _post(api_client, f"/api/v1/incidents/{incident_id}/tickets", {"references": [ticket.reference]})
    body = {"body_fr": "Réparation en cours.", "body_en": "Repair under way.", "status": "identified"}
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(
            api_client, f"/api/v1/incidents/{incident_id}/updates", body, **{"Idempotency-Key": "k1"}
        )
    assert first.status_code == 201, first.content
    update_id = first.json()["id"]
    again = _post(api_client, f"/api/v1/incidents/{incident_id}/updates", body, **{"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.json()["id"] == update_id
    assert IncidentUpdate.objects.count() == 1 and Delivery.objects.filter(kind="incident").count() == 1
    other = _post(
        api_client,
        f"/api/v1/incidents/{incident_id}/updates",
        {**body, "body_en": "x"},
        **{"Idempotency-Key": "k1"},
    )
    assert other.status_code == 409
    progress = api_client.get(f"/api/v1/incidents/{incident_id}/updates/{update_id}").json()["progress"]
    assert progress == {"state": "done", "sent": 1, "failed": 0, "pending": 0, "total": 1}
    assert api_client.get(f"/api/v1/incidents/{incident_id}/updates/{update_id + 1}").status_code == 404

    final = _post(
        api_client, f"/api/v1/incidents/{incident_id}/updates",
        {"body_fr": "Réparé.", "body_en": "Fixed.", "resolve": True, "resolve_tickets": True},
    )  # fmt: skip
    assert final.status_code == 201 and final.json()["tickets_resolved"] == [ticket.reference]
    assert api_client.get(f"/api/v1/incidents/{incident_id}").json()["status"] == "resolved"


def test_agents_only(client, service, agent, make_ticket):
    staff = Client(headers={"Authorization": f"Bearer {api_token_create(user=agent)}"})
    incident_id = _declare(staff)
    ticket = make_ticket()
    paths = [
        ("get", f"/api/v1/incidents/{incident_id}"),
        ("post", "/api/v1/incidents"),
        ("post", f"/api/v1/incidents/{incident_id}/tickets"),
        ("get", f"/api/v1/incidents/{incident_id}/suggested-tickets"),
        ("post", f"/api/v1/incidents/{incident_id}/updates"),
    ]
    customer_token = make_token(ticket.tracking_uid)  # what a customer holds: a tracking link's token
    former = AgentFactory()
    former_token = api_token_create(user=former)
    former.is_agent = False
    former.save()
    for method, path in paths:
        assert getattr(client, method)(path).status_code == 401, path
        for token in (customer_token, former_token):
            response = getattr(Client(headers={"Authorization": f"Bearer {token}"}), method)(path)
            assert response.status_code == 401, (path, response.status_code)
    assert IncidentUpdate.objects.count() == 0
