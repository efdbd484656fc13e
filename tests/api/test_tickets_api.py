from __future__ import annotations

import json

import pytest

from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.tracking import parse_token

pytestmark = pytest.mark.django_db


def post(client, path, body, **headers):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def patch(client, path, body):  # type: ignore[no-untyped-def]
    return client.patch(path, json.dumps(body), content_type="application/json")


NEW = {
    "subject": "Panne de courant rue Sherbrooke",
    "body": "Bonjour, nous n'avons plus d'électricité depuis ce matin.",
    "channel": "phone",
    "customer": {"name": "Hélène Gagnon", "email": "helene@example.test", "language": "fr"},
}


def test_create_returns_reference_and_tracking_link(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api_client, "/api/v1/tickets", NEW)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"].startswith("CPT-") and len(data["reference"]) == 10
    assert data["status"] == "new" and data["priority"] == "P3" and data["language"] == "fr"
    token = data["tracking_url"].rstrip("/").rsplit("/", 1)[-1]
    ticket = Ticket.objects.get(reference=data["reference"])
    assert parse_token(token) == ticket.tracking_uid
    assert ticket.channel == "phone"
    assert ticket.events.filter(field="created").count() == 1


def test_idempotent_retry_creates_one_ticket(api_client):
    first = post(api_client, "/api/v1/tickets", NEW, **{"Idempotency-Key": "retry-1"})
    second = post(api_client, "/api/v1/tickets", NEW, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["reference"] == second.json()["reference"]
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_idempotency_key_reused_for_other_request_is_refused(api_client):
    post(api_client, "/api/v1/tickets", NEW, **{"Idempotency-Key": "k"})
    other = {**NEW, "subject": "Autre chose"}
    response = post(api_client, "/api/v1/tickets", other, **{"Idempotency-Key": "k"})
    assert response.status_code == 409
    assert "idempotency" in response.json()["detail"].lower()
    assert Ticket.objects.count() == 1


def test_stale_version_gives_409_and_keeps_first_change(api_client, make_ticket):
    ticket = make_ticket()
    ref = f"/api/v1/tickets/{ticket.reference}"
    first = patch(api_client, ref, {"priority": "P1", "version": ticket.version})
    assert first.status_code == 200, first.content
    stale = patch(api_client, ref, {"status": "resolved", "version": ticket.version})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.priority == "P1" and ticket.status == "new"
    assert list(ticket.events.filter(field="priority").values_list("old", "new")) == [("P3", "P1")]


def test_extra_fields_are_refused_not_applied(api_client, make_ticket):
    ticket = make_ticket()
    response = patch(
        api_client,
        f"/api/v1/tickets/{ticket.reference}",
        {"version": ticket.version, "reference": "CPT-999999", "customer_id": 1},
    )
    assert response.status_code == 422
    assert response.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.reference != "CPT-999999"


def test_bad_input_is_a_readable_4xx(api_client):
    for body in ({}, {"subject": "x"}, {**NEW, "customer": {}}, {**NEW, "customer": {"email": "nope"}}):
        response = post(api_client, "/api/v1/tickets", body)
        assert 400 <= response.status_code < 500, (body, response.content)
        assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    raw = api_client.post("/api/v1/tickets", "{not json", content_type="application/json")
    assert 400 <= raw.status_code < 500


def test_no_token_no_data(client, make_ticket):
    ticket = make_ticket()
    for path in ("/api/v1/tickets", f"/api/v1/tickets/{ticket.reference}"):
        response = client.get(path)
        assert response.status_code == 401
        assert ticket.subject not in response.content.decode()
    bad = client.get("/api/v1/tickets", headers={"Authorization": "Bearer cpt_wrong"})
    assert bad.status_code == 401


def test_list_keyset_pagination_and_filters(api_client, make_ticket, agent):
    tickets = [make_ticket(subject=f"Demande {i}") for i in range(5)]
    seen = []
    cursor = None
    while True:
        url = "/api/v1/tickets?limit=2" + (f"&cursor={cursor}" if cursor else "")
        data = api_client.get(url).json()
        seen += [t["reference"] for t in data["items"]]
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert seen == [t.reference for t in reversed(tickets)]
    patch(
        api_client,
        f"/api/v1/tickets/{tickets[0].reference}",
        {"version": tickets[0].version, "assignee": agent.email},
    )
    mine = api_client.get(f"/api/v1/tickets?assignee={agent.email}").json()["items"]
    assert [t["reference"] for t in mine] == [tickets[0].reference]
    open_ = api_client.get("/api/v1/tickets?status=new").json()["items"]
    assert len(open_) == 5
    assert api_client.get("/api/v1/tickets?cursor=%%%").status_code == 422
    assert api_client.get("/api/v1/tickets?status=bogus").status_code == 422
    assert api_client.get("/api/v1/tickets?limit=abc").status_code == 422


def test_messages_history_and_configuration_items(
    api_client, make_ticket, mailoutbox, django_capture_on_commit_callbacks
):  # noqa: E501
    ticket = make_ticket(email="zoe@example.test")
    mailoutbox.clear()
    ref = f"/api/v1/tickets/{ticket.reference}"
    with django_capture_on_commit_callbacks(execute=True):
        note = post(
            api_client,
            ref + "/messages",
            {"body": "Vu sur le poste", "visibility": "internal", "configuration_items": ["srv-web-01"]},
        )  # noqa: E501
    assert note.status_code == 201 and note.json()["configuration_items"] == ["srv-web-01"]
    assert mailoutbox == []  # an internal note is never mailed
    with django_capture_on_commit_callbacks(execute=True):
        reply = post(
            api_client, ref + "/messages", {"body": "Nous corrigeons votre facture.", "visibility": "public"}
        )  # noqa: E501
    assert reply.status_code == 201
    assert [m.to for m in mailoutbox] == [["zoe@example.test"]]
    assert "Nous corrigeons votre facture." in mailoutbox[0].body
    detail = api_client.get(ref).json()
    assert [m["visibility"] for m in detail["messages"]] == ["public", "internal", "public"]
    history = api_client.get(ref + "/history").json()
    fields = [e["field"] for e in history]
    assert "configuration_item" in fields and "status" in fields
    assert any(e["new"] == "srv-web-01" for e in history)


def test_customer_endpoint(api_client, make_ticket):
    ticket = make_ticket(email="anais@example.test", phone="514 555 0199")
    data = api_client.get(f"/api/v1/customers/{ticket.customer_id}").json()
    assert {"kind": "email", "value": "anais@example.test"} in data["identities"]
    assert {"kind": "phone", "value": "+15145550199"} in data["identities"]
    assert [t["reference"] for t in data["tickets"]] == [ticket.reference]
    assert api_client.get("/api/v1/customers/999999").status_code == 404


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/tickets" in paths and "/api/v1/tickets/{reference}/history" in paths
