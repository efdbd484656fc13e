"""POST /api/v1/tickets/bulk (and its undo), /tickets/{ref}/merge, /snooze, /messages/{id}/split."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.accounts.services import api_token_create
from comptoir.tickets.models import Message, Ticket

from ..factories import AgentFactory

pytestmark = pytest.mark.django_db


def post(client, path, body):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def _api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"})


def test_bulk_reports_each_ticket_and_undoes(api_client, make_ticket, agent):
    a, b = make_ticket(), make_ticket()
    response = post(
        api_client, "/api/v1/tickets/bulk",
        {"tickets": [a.reference, b.reference, "CPT-999999"], "action": "priority", "priority": "P1"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["changed"] == [a.reference, b.reference] and data["unchanged"] == []
    assert data["refused"] == [{"reference": "CPT-999999", "reason": "No such ticket."}]
    assert data["undo_id"] and data["undo_until"]
    undo = post(api_client, f"/api/v1/tickets/bulk/{data['undo_id']}/undo", {})
    assert undo.status_code == 200 and undo.json()["changed"] == [a.reference, b.reference]
    assert set(Ticket.objects.filter(pk__in=[a.pk, b.pk]).values_list("priority", flat=True)) == {"P3"}
    assert post(api_client, f"/api/v1/tickets/bulk/{data['undo_id']}/undo", {}).status_code == 409


def test_bulk_assign_is_checked_per_ticket_and_bounded(make_ticket, agent):
    junior = AgentFactory(can_pick=False)
    ticket = make_ticket()
    body = {"tickets": [ticket.reference], "action": "assign", "assignee": junior.email}
    data = post(_api(junior), "/api/v1/tickets/bulk", body).json()
    assert (
        data["changed"] == []
        and data["refused"][0]["reason"] == "You may not choose assignees; use Next ticket."
    )
    assert post(_api(agent), "/api/v1/tickets/bulk", body).json()["changed"] == [ticket.reference]
    too_many = {"tickets": [f"CPT-{n:06d}" for n in range(101)], "action": "close"}
    assert post(_api(agent), "/api/v1/tickets/bulk", too_many).status_code == 422


def test_merge_split_and_snooze_through_the_api(api_client, make_ticket):
    survivor = make_ticket(email="marc@example.test")
    other = make_ticket(email="marc@example.test", body="Un autre souci.")
    response = post(api_client, f"/api/v1/tickets/{other.reference}/merge", {"into": survivor.reference})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["reference"] == survivor.reference and len(data["messages"]) == 2
    assert Ticket.objects.get(pk=other.pk).merged_into_id == survivor.pk
    again = post(api_client, f"/api/v1/tickets/{other.reference}/merge", {"into": survivor.reference})
    assert again.status_code == 409
    moved = Message.objects.get(ticket=survivor, body="Un autre souci.")
    split = post(api_client, f"/api/v1/tickets/{survivor.reference}/messages/{moved.pk}/split", {})
    assert split.status_code == 201 and split.json()["messages"][0]["body"] == "Un autre souci."
    until = (timezone.now() + timedelta(days=1)).isoformat()
    assert (
        post(api_client, f"/api/v1/tickets/{survivor.reference}/snooze", {"until": until}).status_code == 200
    )
    assert Ticket.objects.get(pk=survivor.pk).snoozed_until is not None
    assert (
        post(api_client, f"/api/v1/tickets/{survivor.reference}/snooze", {"until": None}).status_code == 200
    )
    assert Ticket.objects.get(pk=survivor.pk).snoozed_until is None


def test_a_customer_cannot_merge_or_bulk(make_ticket):
    first, second = make_ticket(email="zoe@example.test"), make_ticket(email="zoe@example.test")
    customer_user = AgentFactory(is_agent=False, is_staff=False)
    client = _api(customer_user)
    merge = post(client, f"/api/v1/tickets/{first.reference}/merge", {"into": second.reference})
    assert merge.status_code in (401, 403, 404)
    bulk = post(client, "/api/v1/tickets/bulk", {"tickets": [first.reference], "action": "close"})
    assert bulk.status_code in (401, 403) or bulk.json()["changed"] == []
    assert Ticket.objects.get(pk=first.pk).merged_into_id is None and Ticket.objects.get(pk=first.pk).is_open
    assert Client().post(f"/api/v1/tickets/{first.reference}/merge").status_code == 401


def test_accept_triage_guesses_through_the_api(api_client, make_ticket, settings):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough: all to the queue
    ticket = make_ticket(body="Bonjour, ma facture est fausse, j'ai été facturé deux fois.")
    assert ticket.category_id is None
    body = {"tickets": [ticket.reference], "action": "accept_triage"}
    data = post(api_client, "/api/v1/tickets/bulk", body).json()
    assert data["changed"] == [ticket.reference] and data["undo_id"]
    assert Ticket.objects.get(pk=ticket.pk).category.slug == "billing"
