"""Issue 11, items 2 and 5: a resolved ticket becomes a draft article; the desk's context panel."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.customers.models import Customer
from comptoir.knowledge.models import Article, ArticleTicket
from comptoir.tickets.models import ConfigurationItem, Ticket
from comptoir.tickets.services import ticket_agent_message

from ..factories import AgentFactory
from .conftest import token_client

pytestmark = pytest.mark.django_db


def desk(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def resolve(ticket: Ticket, agent, reply: str) -> Ticket:  # type: ignore[no-untyped-def]
    ticket_agent_message(ticket_id=ticket.pk, actor=agent, body=reply, internal=False)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.RESOLVED)
    ticket.refresh_from_db()
    return ticket


def test_desk_turns_a_resolved_ticket_into_a_linked_draft(make_ticket, writer):
    ticket = make_ticket(subject="Compteur bloqué", body="Mon compteur affiche 0 depuis lundi.")
    page = desk(writer).get(f"/desk/tickets/{ticket.reference}/")
    assert 'data-testid="make-article"' not in page.content.decode()  # not resolved yet
    resolve(ticket, writer, "Redémarrez le compteur en maintenant le bouton 10 secondes.")
    client = desk(writer)
    assert 'data-testid="make-article"' in client.get(f"/desk/tickets/{ticket.reference}/").content.decode()

    response = client.post(f"/desk/tickets/{ticket.reference}/article/")
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/kb/{article.pk}/edit/"
    assert (article.title, article.language, article.status, article.visibility) == (
        "Compteur bloqué",
        "fr",
        "draft",
        "internal",
    )
    assert "## Question" in article.body and "> Mon compteur affiche 0 depuis lundi." in article.body
    # Headed in the ticket's language, whatever the agent's.
    assert "## Réponse" in article.body and "Answer" not in article.body
    assert "Redémarrez le compteur" in article.body
    assert ArticleTicket.objects.filter(article=article, ticket=ticket).exists()
    assert client.get(response["Location"]).status_code == 200

    # Both ways: the article lists the ticket it solved, the ticket lists the article.
    assert ticket.reference in client.get(f"/desk/kb/{article.pk}/").content.decode()
    page = client.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert f"/desk/kb/{article.pk}/" in page and 'data-testid="ticket-article"' in page


def test_level_1_may_not_and_open_tickets_may_not(make_ticket, writer, reader):
    ticket = resolve(make_ticket(), writer, "Voici la solution.")
    page = desk(reader).get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert 'data-testid="make-article"' not in page
    assert desk(reader).post(f"/desk/tickets/{ticket.reference}/article/").status_code == 403
    assert token_client(reader).post(f"/api/v1/tickets/{ticket.reference}/article").status_code == 403
    still_open = make_ticket()
    assert token_client(writer).post(f"/api/v1/tickets/{still_open.reference}/article").status_code == 422
    assert token_client(writer).post("/api/v1/tickets/T-NOPE/article").status_code == 404
    assert not Article.objects.exists()


def test_api_creates_the_draft_with_an_english_ticket(make_ticket, writer):
    ticket = resolve(
        make_ticket(subject="Meter stuck", body="It shows 0.", language="en"), writer, "Restart it."
    )
    response = token_client(writer).post(f"/api/v1/tickets/{ticket.reference}/article")
    assert response.status_code == 201, response.content
    body = response.json()
    article = Article.objects.get(pk=body["id"])
    assert (body["status"], body["visibility"], body["language"], body["ticket"]) == (
        "draft",
        "internal",
        "en",
        ticket.reference,
    )
    assert "## Answer" in article.body and "Restart it." in article.body
    assert "/api/v1/tickets/{reference}/article" in Client().get("/api/v1/openapi.json").json()["paths"]


def _history(make_ticket, agent, email: str, n: int, article_id: int) -> None:  # type: ignore[no-untyped-def]
    item, _ = ConfigurationItem.objects.get_or_create(name="Compteur A-12")
    for i in range(n):
        t = make_ticket(email=email, subject=f"Demande {i}", channel="email" if i % 2 else "web")
        msg = ticket_agent_message(
            ticket_id=t.pk,
            actor=agent,
            body=f"Voyez https://x.test/help/{article_id}/ réponse {i}",
            internal=False,
        )
        msg.configuration_items.add(item)
        if i % 2:
            Ticket.objects.filter(pk=t.pk).update(status=Ticket.Status.RESOLVED)


def test_context_panel_shows_the_customers_history(make_ticket, writer, make_article):
    article = make_article(title="Relever son compteur")
    coordinator = AgentFactory(name="Camille Coordinatrice")
    _history(make_ticket, writer, "client@example.test", 3, article.pk)
    current = make_ticket(email="client@example.test", subject="Nouvelle question")
    Customer.objects.filter(pk=current.customer_id).update(tier="key", coordinator=coordinator)
    make_ticket(email="other@example.test", subject="Pas à elle")

    page = desk(writer).get(f"/desk/tickets/{current.reference}/").content.decode()
    panel = page[page.index('data-testid="context-panel"') :]
    assert "Demande 0" in panel and "Demande 2" in panel and "Pas à elle" not in panel
    assert "Email" in panel and "Camille Coordinatrice" in panel
    assert "Relever son compteur" in panel  # the article linked in a reply sent to them
    assert 'data-testid="context-resolution"' in panel and "réponse 1" in panel
    assert "Compteur A-12" in panel
    open_part = panel[
        panel.index('data-testid="context-open"') : panel.index('data-testid="context-solutions"')
    ]
    assert "Demande 0" in open_part and "Demande 1" not in open_part  # resolved is not open
    assert "Nouvelle question" not in panel.split('data-testid="context-recent"')[1].split("</ul>")[0]


def test_context_panel_queries_do_not_grow_with_history(make_ticket, writer, make_article):
    article = make_article()

    def count(email: str, n: int) -> int:
        _history(make_ticket, writer, email, n, article.pk)
        current = make_ticket(email=email)
        client = desk(writer)
        client.get(f"/desk/tickets/{current.reference}/")  # warm caches (session, translations)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/desk/tickets/{current.reference}/").status_code == 200
        return len(ctx.captured_queries)

    assert count("small@example.test", 2) == count("big@example.test", 12)


def test_panel_hidden_from_customers_and_anonymous(make_ticket):
    ticket = make_ticket()
    assert Client().get(f"/desk/tickets/{ticket.reference}/").status_code in (302, 403)
