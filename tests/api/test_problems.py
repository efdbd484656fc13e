"""The problems API (issue 13): create, read, patch, publish, proposals and their decisions;
agents only (a customer's token or no token is refused)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.incidents.models import ProblemProposal, ProposalTicket
from comptoir.tickets.tracking import make_token
from tests.factories import AgentFactory


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def proposal(make_ticket, db):
    tickets = [
        make_ticket(subject=f"Compteur {n}", body="Mon compteur affiche une erreur E42.") for n in range(5)
    ]
    found = ProblemProposal.objects.create(
        fingerprint="x" * 64, size=5, shared_terms=["compteur", "E42"], window_days=14,
        first_at=tickets[0].created_at, last_at=tickets[-1].created_at,
    )  # fmt: skip
    ProposalTicket.objects.bulk_create([ProposalTicket(proposal=found, ticket=t) for t in tickets])
    return found


def test_create_read_patch_list(api_client, make_ticket):
    ticket = make_ticket(subject="Erreur E42", body="Mon compteur affiche E42.")
    response = _post(
        api_client, "/api/v1/problems", {"title": "Compteurs E42", "tickets": [ticket.reference]}
    )
    assert response.status_code == 201, response.content
    problem_id = response.json()["id"]
    got = api_client.get(f"/api/v1/problems/{problem_id}").json()
    assert (got["status"], got["tickets"], got["known_error"]) == ("open", [ticket.reference], False)
    patched = api_client.patch(
        f"/api/v1/problems/{problem_id}",
        json.dumps(
            {"root_cause": "Firmware 3.2", "workaround_en": "Restart the meter.", "known_error": True}
        ),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["status"] == "known_error"
    assert (
        api_client.patch(
            f"/api/v1/problems/{problem_id}", json.dumps({"status": "lost"}), content_type="application/json"
        ).status_code
        == 422
    )
    listed = api_client.get("/api/v1/problems?status=known_error").json()["items"]
    assert [p["id"] for p in listed] == [problem_id]
    assert api_client.get("/api/v1/problems/999999").status_code == 404


def test_publish_needs_a_writer_and_gives_the_articles(api_client, db):
    problem_id = _post(
        api_client,
        "/api/v1/problems",
        {"title": "E42", "workaround_fr": "Redémarrez.", "workaround_en": "Restart."},
    ).json()["id"]
    assert _post(api_client, f"/api/v1/problems/{problem_id}/publish", {}).status_code == 403
    writer = Client(
        headers={"Authorization": f"Bearer {api_token_create(user=AgentFactory(is_supervisor=True))}"}
    )
    response = _post(writer, f"/api/v1/problems/{problem_id}/publish", {})
    assert response.status_code == 200, response.content
    fr, en = response.json()["articles"]
    assert (fr["language"], en["language"], en["translation_of"]) == ("fr", "en", fr["id"])
    assert response.json()["problem"]["article_id"] == fr["id"]


def test_proposals_list_accept_and_decided_twice(api_client, proposal):
    items = api_client.get("/api/v1/problems/proposals").json()["items"]
    assert [p["id"] for p in items] == [proposal.pk]
    assert items[0]["shared_terms"] == ["compteur", "E42"] and len(items[0]["tickets"]) == 5
    accepted = _post(api_client, f"/api/v1/problems/proposals/{proposal.pk}/accept", {"title": "E42"})
    assert accepted.status_code == 201
    assert len(api_client.get(f"/api/v1/problems/{accepted.json()['id']}").json()["tickets"]) == 5
    again = _post(api_client, f"/api/v1/problems/proposals/{proposal.pk}/dismiss", {"reason": "x"})
    assert again.status_code == 422


def test_merge_and_dismiss(api_client, proposal, make_ticket):
    target = _post(api_client, "/api/v1/problems", {"title": "Compteurs"}).json()["id"]
    merged = _post(api_client, f"/api/v1/problems/proposals/{proposal.pk}/merge", {"problem_id": target})
    assert merged.status_code == 200 and merged.json()["id"] == target
    other = ProblemProposal.objects.create(
        fingerprint="y" * 64, size=5, window_days=14, first_at=proposal.first_at, last_at=proposal.last_at
    )
    dismissed = _post(api_client, f"/api/v1/problems/proposals/{other.pk}/dismiss", {"reason": "Noise"})
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"


def test_customers_and_anonymous_are_refused(proposal, make_ticket):
    ticket = make_ticket()
    customer = Client(headers={"Authorization": f"Bearer {make_token(ticket.tracking_uid)}"})
    for client in (Client(), customer):
        assert client.get("/api/v1/problems").status_code == 401
        assert client.get("/api/v1/problems/proposals").status_code == 401
        assert _post(client, "/api/v1/problems", {"title": "x"}).status_code == 401
        assert _post(client, f"/api/v1/problems/proposals/{proposal.pk}/accept", {}).status_code == 401
    former = AgentFactory(is_agent=False)
    staff = Client(headers={"Authorization": f"Bearer {api_token_create(user=former)}"})
    assert staff.get("/api/v1/problems").status_code in (401, 403, 404)
    assert _post(staff, "/api/v1/problems", {"title": "x"}).status_code in (401, 403)
    assert ProblemProposal.objects.get(pk=proposal.pk).status == "pending"
