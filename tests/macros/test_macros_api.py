"""Macros over the API (issue 10): listed with the same visibility, applied through the one door."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.macros.services import MacroData, macro_create
from comptoir.tickets.models import Message

from ..factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def client_for(user) -> Client:
    return Client(
        headers={"Authorization": f"Bearer {api_token_create(user=user)}"}, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_list_shows_shared_and_own_macros_only(api_client, agent, team):
    boss = AgentFactory(teams=[team], is_supervisor=True)
    macro_create(actor=boss, data=MacroData(name="Partagée", body_fr="Bonjour", shared=True))
    macro_create(actor=agent, data=MacroData(name="À moi", body_fr="Salut"))
    macro_create(actor=boss, data=MacroData(name="Au chef", body_fr="Privé"))
    names = [m["name"] for m in api_client.get("/api/v1/macros").json()]
    assert names == ["Partagée", "À moi"]


def test_apply_fills_sends_and_sets_status_and_team(api_client, agent, team, make_ticket):
    billing = TeamFactory(name="Facturation")
    boss = AgentFactory(teams=[team], is_supervisor=True)
    macro = macro_create(
        actor=boss,
        data=MacroData(name="Suivi", body_fr="Bonjour {{customer_name}}, dossier {{reference}}.",
                       body_en="Hello {{customer_name}}", shared=True, set_team=billing),
    )  # fmt: skip
    ticket = make_ticket(name="Élodie Tremblay")
    response = api_client.post(
        f"/api/v1/tickets/{ticket.reference}/macros/{macro.pk}/apply",
        {"then_status": "resolved"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["message"]["body"] == f"Bonjour Élodie Tremblay, dossier {ticket.reference}."
    assert (data["status"], data["team"], data["status_kept"]) == ("resolved", "Facturation", False)
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.team == billing


def test_another_agents_personal_macro_is_not_found(api_client, team, make_ticket):
    other = AgentFactory(teams=[team])
    private = macro_create(actor=other, data=MacroData(name="Privé", body_fr="Secret"))
    ticket = make_ticket()
    response = api_client.post(
        f"/api/v1/tickets/{ticket.reference}/macros/{private.pk}/apply", {}, content_type=JSON
    )
    assert response.status_code == 404
    assert not Message.objects.filter(ticket=ticket, kind="public").exists()
