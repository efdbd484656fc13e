"""Suggestions on every ticket (issue 11, item 4), with the real multilingual embeddings.

Tasks run at enqueue (the tests' backend), so a change made inside
``django_capture_on_commit_callbacks(execute=True)`` has its worker tasks run as in production,
after the commit; a new ticket's enrichment (its suggestions) runs within intake.
"""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.knowledge.services import ArticleData, article_create, article_update
from comptoir.search.models import SentArticle, SuggestionVector, TicketSuggestions, VectorCentroids
from comptoir.search.suggestions import (
    VectorRow,
    suggest,
    vector_index_ticket,
    vector_texts_for_ticket,
    vectors_store,
    vectors_train,
)
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.services import reply_release, ticket_agent_message, ticket_update

from ..factories import AgentFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def writer(db, team):
    return AgentFactory(teams=[team], level=2)


@pytest.fixture
def reader(db, team):
    """A level-1 agent: reads published articles (internal ones too), no drafts."""
    return AgentFactory(teams=[team], level=1)


@pytest.fixture
def make_article(writer, django_capture_on_commit_callbacks):
    def make(title: str, body: str, **kw):  # type: ignore[no-untyped-def]
        fields = {"language": "en", "status": "published", "visibility": "public", **kw}
        with django_capture_on_commit_callbacks(execute=True):
            return article_create(actor=writer, data=ArticleData(title=title, body=body, **fields))

    return make


@pytest.fixture
def resolved(make_ticket, writer, django_capture_on_commit_callbacks):
    """A ticket answered and resolved through the services, its vector written by the worker."""

    def make(subject: str, body: str, reply: str, language: str = "en") -> Ticket:
        ticket = make_ticket(subject=subject, body=body, language=language)
        with django_capture_on_commit_callbacks(execute=True):
            ticket_agent_message(ticket_id=ticket.pk, actor=writer, body=reply, internal=False)
            ticket.refresh_from_db()
            ticket_update(ticket_id=ticket.pk, actor=writer, version=ticket.version, status="resolved")
        return Ticket.objects.get(pk=ticket.pk)

    return make


def api(user) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers={"Authorization": f"Bearer {api_token_create(user=user)}"}, **EN)


def desk(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(**EN)
    client.force_login(user)
    return client


def suggestions_of(user, ticket: Ticket) -> dict:  # type: ignore[no-untyped-def]
    response = api(user).get(f"/api/v1/tickets/{ticket.reference}/suggestions")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_french_ticket_finds_the_english_article_and_resolution(
    make_article, resolved, make_ticket, reader
):
    password = make_article(
        "Reset your online account password",
        "If you forgot your password, click *Forgot password* on the sign-in page and follow the email.",
    )
    make_article("Read your electricity meter", "The meter shows your consumption in kWh on its display.")
    outage = resolved(
        "Power outage on my street",
        "There has been no electricity in my whole street since this morning.",
        "A crew is repairing the damaged line; power will be back by 6 pm.",
    )
    resolved(
        "Change my billing address", "I moved, please send my bills to my new address.", "Done, updated."
    )
    assert SuggestionVector.objects.filter(kind="ticket").count() == 2  # written by the worker's task

    ticket = make_ticket(
        subject="Panne de courant dans ma rue",
        body="Nous n'avons plus d'électricité dans toute la rue depuis ce matin.",
    )
    found = suggestions_of(reader, ticket)
    assert found["similar_tickets"][0]["reference"] == outage.reference
    assert found["similar_tickets"][0]["language"] == "en"
    assert "power will be back by 6 pm" in found["similar_tickets"][0]["resolution"]
    assert set(found["similar_tickets"][0]) == {"reference", "subject", "language", "resolution", "score"}
    scores = [t["score"] for t in found["similar_tickets"]]
    assert scores == sorted(scores, reverse=True)

    forgot = make_ticket(
        subject="Mot de passe oublié", body="Je ne peux plus me connecter, j'ai oublié mon mot de passe."
    )
    articles = suggestions_of(reader, forgot)["articles"]
    assert articles[0]["id"] == password.pk and articles[0]["language"] == "en"
    assert set(articles[0]) == {"id", "title", "language", "score"}


def test_the_tickets_language_comes_first_at_equal_relevance(make_article, make_ticket, reader):
    english = make_article(
        "Pay your bill by direct debit",
        "Set up a monthly direct debit to pay your electricity bill automatically.",
    )
    french = make_article(
        "Payer sa facture par prélèvement",
        "Mettez en place un prélèvement mensuel pour payer votre facture d'électricité automatiquement.",
        language="fr",
        translation_of=english.pk,
    )
    fr_ticket = make_ticket(
        subject="Prélèvement automatique", body="Comment payer ma facture par prélèvement ?"
    )
    en_ticket = make_ticket(
        subject="Automatic payment", body="How can I pay my bill by direct debit?", language="en"
    )
    assert [a["id"] for a in suggestions_of(reader, fr_ticket)["articles"][:2]] == [french.pk, english.pk]
    assert [a["id"] for a in suggestions_of(reader, en_ticket)["articles"][:2]] == [english.pk, french.pk]


def test_drafts_are_never_suggested_internal_articles_are_to_agents(
    make_article, make_ticket, reader, writer, django_capture_on_commit_callbacks
):
    internal = make_article(
        "Outage procedure for agents", "When a customer reports a power outage, check the outage map first.",
        visibility="internal",
    )  # fmt: skip
    draft = make_article(
        "Power outage: what to do", "During a power outage, keep the fridge closed.", status="draft"
    )
    public = make_article("Power outage compensation", "Customers without power for 24 hours get a credit.")
    assert not SuggestionVector.objects.filter(kind="article", object_id=draft.pk).exists()
    ticket = make_ticket(subject="Power outage", body="My power is out since last night.", language="en")
    for agent in (reader, writer):  # the writer may read drafts: still not a suggestion
        ids = [a["id"] for a in suggestions_of(agent, ticket)["articles"]]
        assert internal.pk in ids and public.pk in ids and draft.pk not in ids

    # Unpublished later: its vector goes, and it is no longer shown where it was suggested.
    with django_capture_on_commit_callbacks(execute=True):
        article_update(actor=writer, article_id=public.pk, data=ArticleData(status="draft"))
    assert not SuggestionVector.objects.filter(kind="article", object_id=public.pk).exists()
    ids = [a["id"] for a in suggestions_of(reader, ticket)["articles"]]
    assert public.pk not in ids


def test_only_agents_read_suggestions(make_ticket, agent):
    ticket = make_ticket()
    url = f"/api/v1/tickets/{ticket.reference}/suggestions"
    assert Client(**EN).get(url).status_code == 401
    assert api(AgentFactory(is_agent=False, is_staff=False)).get(url).status_code == 401  # not an agent
    assert api(agent).get("/api/v1/tickets/T-NOPE/suggestions").status_code == 404
    card = f"/desk/tickets/{ticket.reference}/suggestions/"
    assert Client(**EN).get(card).status_code == 302  # to the login page
    assert desk(AgentFactory(is_agent=False, is_staff=False)).get(card).status_code == 404
    assert desk(agent).get(card).status_code == 200
    operation = (
        Client().get("/api/v1/openapi.json").json()["paths"]["/api/v1/tickets/{reference}/suggestions"]
    )
    assert operation["get"]["operationId"] == "comptoir_api_ticket_suggestions"


def test_the_ticket_page_shows_the_card_and_polls_until_ready(
    settings, make_ticket, agent, make_article, django_capture_on_commit_callbacks
):
    make_article("Reset your password", "Click Forgot password on the sign-in page.")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no worker
    ticket = make_ticket(subject="Forgot my password", body="I cannot sign in.", language="en")
    assert ticket.analysing  # its enrichment waits for the worker
    assert suggestions_of(agent, ticket) == {"articles": [], "similar_tickets": []}
    page = desk(agent).get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert 'data-testid="suggestions-pending"' in page and 'hx-trigger="every 3s"' in page

    # A ticket older than the feature (no enrichment to come): opening it queues the work for
    # the worker; nothing is computed in the request, and polling does not queue it again.
    Ticket.objects.filter(pk=ticket.pk).update(analysing=False)
    client = desk(agent)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert 'hx-trigger="every 3s"' in page
    row = TicketSuggestions.objects.get(ticket=ticket)
    assert row.requested_at is not None and row.computed_at is None
    from comptoir.search.tasks import ticket_suggestions_task

    queued = [
        r
        for r in ticket_suggestions_task.get_backend().results
        if r.task.name == ticket_suggestions_task.name
    ]
    assert [r.args or r.kwargs for r in queued] == [{"ticket_id": ticket.pk}]
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/desk/tickets/{ticket.reference}/suggestions/")
    queued = [
        r
        for r in ticket_suggestions_task.get_backend().results
        if r.task.name == ticket_suggestions_task.name
    ]
    assert len(queued) == 1

    # The worker runs it: the card comes back ready, without the polling trigger.
    ticket_suggestions_task.call(ticket_id=ticket.pk)
    card = client.get(
        f"/desk/tickets/{ticket.reference}/suggestions/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "every 3s" not in card and 'data-testid="suggested-article"' in card
    assert "Reset your password" in card and "/help/" in card and "Insert link" in card


def test_an_article_sent_in_a_reply_is_recorded_once(
    make_article, make_ticket, agent, django_capture_on_commit_callbacks
):
    article = make_article("Reset your password", "Click Forgot password.")
    ticket = make_ticket()
    link = f"http://testserver/help/{article.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        ticket_agent_message(ticket_id=ticket.pk, actor=agent, body=f"Voir {link}", internal=True)
    assert not SentArticle.objects.exists()  # a note never reaches the customer
    with django_capture_on_commit_callbacks(execute=True):
        reply = ticket_agent_message(
            ticket_id=ticket.pk, actor=agent, body=f"Voir {link} et {link}", internal=False
        )
    sent = SentArticle.objects.get()
    assert (sent.article_id, sent.ticket_id, sent.message_id) == (article.pk, ticket.pk, reply.pk)

    # The desk's reply form records it as well, once.
    with django_capture_on_commit_callbacks(execute=True):
        response = desk(agent).post(f"/desk/tickets/{ticket.reference}/messages/", {"body": f"Ici : {link}"})
    assert response.status_code == 302
    assert SentArticle.objects.filter(article=article).count() == 2
    assert SentArticle.objects.values("message_id").distinct().count() == 2


def test_a_held_reply_counts_when_released(
    make_article, make_ticket, team, settings, django_capture_on_commit_callbacks
):
    settings.COMPTOIR_PAIRING_APPROVAL = True
    article = make_article("Outage compensation", "A credit after 24 hours without power.")
    senior = AgentFactory(teams=[team], level=2)
    junior = AgentFactory(teams=[team], mentor=senior)
    ticket = make_ticket()
    ticket = ticket_update(ticket_id=ticket.pk, actor=senior, version=ticket.version, priority="P1")
    with django_capture_on_commit_callbacks(execute=True):
        reply = ticket_agent_message(
            ticket_id=ticket.pk, actor=junior, body=f"Voir /help/{article.pk}/", internal=False
        )
    assert Message.objects.get(pk=reply.pk).held_for == senior
    assert not SentArticle.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        reply_release(actor=senior, ticket_id=ticket.pk, message_id=reply.pk)
    assert list(SentArticle.objects.values_list("article_id", "message_id")) == [(article.pk, reply.pk)]


def test_a_reopened_ticket_leaves_the_similar_cases(resolved, writer, django_capture_on_commit_callbacks):
    ticket = resolved("Meter reading", "My meter shows 0.", "We replaced the meter.")
    assert SuggestionVector.objects.filter(kind="ticket", object_id=ticket.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket_id=ticket.pk, actor=writer, version=ticket.version, status="open")
    assert not SuggestionVector.objects.filter(kind="ticket", object_id=ticket.pk).exists()
    assert vector_index_ticket(ticket.pk) is False


def test_inverted_lists_find_the_same_best_match_as_a_full_scan():
    """A small trained set: the IVF path reads a few lists and keeps the full scan's top result."""
    from comptoir.nlp import embed

    texts = [
        "Power outage in my street since this morning", "My electricity bill is far too high",
        "I forgot my password and cannot sign in", "Please change my postal address",
        "The meter display shows zero", "I want to set up a payment plan",
        "Panne de courant dans mon quartier", "Ma facture d'électricité est trop élevée",
        "J'ai oublié mon mot de passe", "Je déménage le mois prochain",
        "Compteur bloqué à zéro", "Je voudrais une entente de paiement",
    ]  # fmt: skip
    rng = np.random.default_rng(7)
    real = embed.encode(texts)
    rows = [VectorRow("ticket", i + 1, "en" if i < 6 else "fr", v) for i, v in enumerate(real)]
    # Noise around each topic: 40 neighbours per text, so lists are worth their name.
    for i, v in enumerate(real):
        for j in range(40):
            rows.append(VectorRow("ticket", 1000 + i * 100 + j, "en", v + rng.normal(0, 0.06, v.shape)))
    vectors_store(rows)
    queries = ["Plus de courant chez moi", "My invoice amount is wrong", "Mot de passe perdu", "moving house"]
    scanned = [suggest(text=q, language="fr", limit=5).tickets for q in queries]
    assert vectors_train("ticket", lists=6) == 6
    assert VectorCentroids.objects.get(kind="ticket").lists == 6
    assert SuggestionVector.objects.values("bucket").distinct().count() > 1
    listed = [suggest(text=q, language="fr", limit=5, probes=2).tickets for q in queries]
    assert [r[0][0] for r in listed] == [r[0][0] for r in scanned]
    # Back under the threshold without a forced size: no lists, every query scans again.
    assert vectors_train("ticket") == 0
    assert not VectorCentroids.objects.exists()
    assert [suggest(text=q, language="fr", limit=5).tickets for q in queries] == scanned


def test_the_command_reindexes_and_the_demo_leaves_suggestions_ready(resolved, make_ticket, settings):
    import io

    from django.core.management import call_command

    ticket = resolved("Meter reading", "My meter shows 0.", "We replaced the meter.")
    SuggestionVector.objects.all().delete()
    TicketSuggestions.objects.all().delete()
    out = io.StringIO()
    call_command("suggestions", "reindex", stdout=out)
    assert "1 tickets" in out.getvalue()
    assert SuggestionVector.objects.filter(kind="ticket", object_id=ticket.pk).exists()
    assert TicketSuggestions.objects.filter(ticket=ticket, computed_at__isnull=False).exists()
    call_command("suggestions", "train", stdout=out)
    assert "ticket: 0 lists" in out.getvalue()  # too few vectors: queries scan

    # The demo's tickets arrive with no worker running: their suggestions are there anyway.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("demo", "--tickets", "12", stdout=io.StringIO())
    done = Ticket.objects.filter(status__in=["resolved", "closed"]).exclude(pk=ticket.pk)
    assert done.exists()
    assert (
        SuggestionVector.objects.filter(kind="ticket", object_id__in=done.values("pk")).count()
        == done.count()
    )
    assert not Ticket.objects.exclude(
        pk__in=TicketSuggestions.objects.filter(computed_at__isnull=False).values("ticket_id")
    ).exists()


def test_greetings_and_signatures_are_left_out_of_a_tickets_vector_text(make_ticket):
    """Lines of three words or fewer (greetings, sign-offs, names) would pull every ticket
    towards every other; a message made only of short lines is kept whole."""
    ticket = make_ticket(
        subject="Power outage on Rideau Street",
        body="Hello,\n\nSince October 7, the whole building has no power.\n\nThanks,\nEthan White",
        language="en",
    )
    assert vector_texts_for_ticket(ticket) == (
        "Power outage on Rideau Street\nSince October 7, the whole building has no power."
    )
    short = make_ticket(subject="Meter", body="Error E-42 again", language="en")
    assert vector_texts_for_ticket(short) == "Meter\nError E-42 again"
