"""Answer every question (issue 11): the API's reply-check and the desk's "Questions to answer" box."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.portal.my import PORTAL_CUSTOMER
from comptoir.tickets.services import ticket_agent_message, ticket_customer_reply
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FIRST = "Bonjour, ma facture est fausse. Pouvez-vous vérifier mon compteur ?"
LATER = (
    "Merci. Quand le remboursement sera-t-il versé ? Est-ce que je peux payer en trois fois ?\n\n"
    "Le 3 mars, Service client a écrit :\n> Pourquoi ?"
)


def _ticket(make_ticket, agent):  # type: ignore[no-untyped-def]
    """A customer question answered by a public reply, then two new questions (and a quote)."""
    ticket = make_ticket(body=FIRST)
    ticket_agent_message(ticket=ticket, actor=agent, body="Votre compteur a été vérifié.", internal=False)
    ticket_customer_reply(ticket=ticket, body=LATER, channel="web")
    return ticket


def _check(client: Client, reference: str, body: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/tickets/{reference}/reply-check", {"body": body}, content_type="application/json", **EN
    )


def test_api_lists_the_questions_since_the_last_public_reply(api_client, make_ticket, agent) -> None:
    ticket = _ticket(make_ticket, agent)
    response = _check(api_client, ticket.reference, "Le remboursement sera versé le 12 avril.")
    assert response.status_code == 200
    assert response.json() == {
        "questions": [
            {"text": "Quand le remboursement sera-t-il versé ?", "answered": True},
            {"text": "Est-ce que je peux payer en trois fois ?", "answered": False},
        ]
    }
    both = _check(
        api_client, ticket.reference, "Remboursement versé le 12 avril ; vous pouvez payer en trois fois."
    )
    assert [q["answered"] for q in both.json()["questions"]] == [True, True]


def test_before_any_reply_every_customer_question_counts(api_client, make_ticket) -> None:
    ticket = make_ticket(body=FIRST)
    response = _check(api_client, ticket.reference, "")
    assert response.json() == {
        "questions": [{"text": "Pouvez-vous vérifier mon compteur ?", "answered": False}]
    }


def test_api_refuses_who_may_not_see_the_ticket(client, make_ticket, agent) -> None:
    ticket = _ticket(make_ticket, agent)
    assert _check(client, ticket.reference, "x").status_code == 401  # anonymous
    # A token whose user is not an agent (a customer's account) is no token.
    customer_user = AgentFactory(is_agent=False, is_staff=False)
    token_client = Client(headers={"Authorization": f"Bearer {api_token_create(user=customer_user)}"})
    assert _check(token_client, ticket.reference, "x").status_code == 401
    # A customer signed in on the portal has no API access either.
    portal = Client()
    session = portal.session
    session[PORTAL_CUSTOMER] = ticket.customer_id
    session.save()
    assert _check(portal, ticket.reference, "x").status_code == 401
    # An agent who loses access (deactivated) is refused; a ticket nobody may see is a 404.
    other = AgentFactory()
    other_client = Client(headers={"Authorization": f"Bearer {api_token_create(user=other)}"})
    assert _check(other_client, "CPT-999999", "x").status_code == 404
    other.is_active = False
    other.save()
    assert _check(other_client, ticket.reference, "x").status_code == 401


def test_api_validates_and_documents_the_route(api_client, client, make_ticket) -> None:
    ticket = make_ticket(body=FIRST)
    bad = api_client.post(
        f"/api/v1/tickets/{ticket.reference}/reply-check", {"draft": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operation = paths["/api/v1/tickets/{reference}/reply-check"]["post"]
    assert set(operation["responses"]) >= {"200", "401", "404"}


def test_desk_box_updates_with_htmx_and_works_without_javascript(desk_client, make_ticket, agent) -> None:
    ticket = _ticket(make_ticket, agent)
    page = desk_client.get(f"/desk/tickets/{ticket.reference}/", **EN)
    html = page.content.decode()
    assert 'data-testid="questions-check"' in html and "Questions to answer" in html
    assert "keyup changed delay:800ms" in html
    url = f"/desk/tickets/{ticket.reference}/questions/"
    partial = desk_client.post(
        url, {"body": "Le remboursement sera versé le 12 avril."}, HTTP_HX_REQUEST="true", **EN
    )
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body and body.count('data-testid="question"') == 2
    assert body.count('data-testid="question-unanswered"') == 1 and "payer en trois fois" in body
    assert "Pourquoi" not in body  # quoted text is not the customer's question
    # Without JavaScript: the ticket page comes back, the draft kept, the box filled.
    full = desk_client.post(url, {"body": "Mon brouillon de réponse"}, **EN)
    assert full.status_code == 200
    text = full.content.decode()
    assert "Mon brouillon de réponse" in text and text.count('data-testid="question-unanswered"') == 2


def test_desk_endpoint_requires_an_agent(client, make_ticket) -> None:
    ticket = make_ticket(body=FIRST)
    response = client.post(f"/desk/tickets/{ticket.reference}/questions/", {"body": "x"})
    assert response.status_code in {302, 403}
    assert b"compteur" not in response.content
