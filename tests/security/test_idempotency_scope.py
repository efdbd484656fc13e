"""An Idempotency-Key belongs to the API client that sent it: keys never cross between clients."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

NEW = {
    "subject": "Panne de courant rue Sherbrooke",
    "body": "Bonjour, nous n'avons plus d'électricité depuis ce matin.",
    "customer": {"name": "Hélène Gagnon", "email": "helene@example.test", "language": "fr"},
}


def _client(agent) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=agent)}"})


def _create(client: Client, body: dict, key: str):  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": key}
    return client.post("/api/v1/tickets", json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.attack("access", "issue8-16")
def test_two_clients_using_the_same_key_get_their_own_tickets(team):
    first, second = _client(AgentFactory(teams=[team])), _client(AgentFactory(teams=[team]))
    body = json.dumps(NEW)
    a = first.post(
        "/api/v1/tickets", body, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    b = second.post(
        "/api/v1/tickets", body, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["reference"] != b.json()["reference"]
    assert Ticket.objects.count() == 2
    # A different payload under the other client's key is no conflict either.
    other = json.dumps({**NEW, "subject": "Autre chose"})
    c = second.post(
        "/api/v1/tickets", other, content_type="application/json", headers={"Idempotency-Key": "k9"}
    )
    d = first.post(
        "/api/v1/tickets", body, content_type="application/json", headers={"Idempotency-Key": "k9"}
    )
    assert (c.status_code, d.status_code) == (201, 201)
