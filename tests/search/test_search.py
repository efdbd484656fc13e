"""Search from the outside (API, desk, command), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.intake.services import customer_merge
from comptoir.search import backends
from comptoir.search.models import TicketDocument
from comptoir.search.selectors import search
from comptoir.search.text import normalise, parse_query
from comptoir.tickets.selectors import ticket_visible_to
from comptoir.tickets.services import ticket_agent_message, ticket_update
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _refs(api_client: Client, q: str) -> list[str]:
    response = api_client.get("/api/v1/search", {"q": q}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    return [t["reference"] for t in response.json()["tickets"]]


def test_stems_and_accents_in_french_and_english(make_ticket, api_client):
    fr = make_ticket(subject="Deux factures reçues", body="Plus d'électricité depuis hier soir.")
    en = make_ticket(subject="Wrong amount", body="I was billed twice this month.", language="en")
    other = make_ticket(subject="Déménagement", body="Je change d'adresse.")
    assert _refs(api_client, "facture") == [fr.reference]
    assert _refs(api_client, "FACTURÉ") == [fr.reference]
    assert _refs(api_client, "electricite") == [fr.reference]
    assert _refs(api_client, "Électricité") == [fr.reference]
    assert _refs(api_client, "billing") == [en.reference]
    assert _refs(api_client, "bills") == [en.reference]
    assert _refs(api_client, "demenagement") == [other.reference]
    assert _refs(api_client, "facture electricite") == [fr.reference]  # every word must match
    assert _refs(api_client, "facture billing") == []
    assert _refs(api_client, '"plus d\'electricite"') == [fr.reference]
    assert _refs(api_client, '"electricite plus"') == []  # a phrase keeps its order
    assert _refs(api_client, "demenag*") == [other.reference]
    assert _refs(api_client, fr.reference.lower()) == [fr.reference]


def test_normalised_text_is_the_same_for_documents_and_queries():
    assert normalise("Les Factures d'ÉLECTRICITÉ", "fr") == "le factur d electricit"
    assert normalise("billed bills", "en") == "bill bill"
    parsed = parse_query('la facture status:open team:"Support FR" from:a@b.c priority:p1')
    assert parsed.filters == {
        "status": ["open"],
        "team": ["Support FR"],
        "from": ["a@b.c"],
        "priority": ["p1"],
    }
    assert [sorted(t.parts[0]) for t in parsed.terms] == [["factur"]]  # "la" is a stopword


def test_snippets_highlight_and_escape(make_ticket, api_client, desk_client):
    ticket = make_ticket(
        subject="<b>Facture</b> & taxes", body="Ma <script>alert(1)</script> facture est fausse."
    )
    hit = api_client.get("/api/v1/search", {"q": "factures"}).json()["tickets"][0]
    assert hit["reference"] == ticket.reference
    assert hit["subject_html"] == "&lt;b&gt;<mark>Facture</mark>&lt;/b&gt; &amp; taxes"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>facture</mark>" in hit["snippet_html"]
    page = desk_client.get("/desk/search/", {"q": "factures"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert f'href="/desk/tickets/{ticket.reference}/"' in html
    assert "<mark>facture</mark>" in html
    # The box is in the header of every desk page.
    assert (
        'data-testid="desk-search-q"' in desk_client.get("/desk/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_field_filters_combine_with_words(make_ticket, api_client, agent, team):
    billing = TeamFactory(name="Équipe Facturation")
    a = make_ticket(subject="Facture de mars", body="Montant faux.", email="alice@example.test")
    b = make_ticket(subject="Facture d'avril", body="Montant faux.", email="bob@example.test")
    c = make_ticket(subject="Compteur", body="Il clignote.", email="bob@example.test")
    ticket_update(ticket_id=a.pk, actor=agent, version=a.version, status="resolved", team=billing)
    b.refresh_from_db()
    ticket_update(ticket_id=b.pk, actor=agent, version=b.version, priority="P1", team=team)
    assert sorted(_refs(api_client, "facture")) == sorted([a.reference, b.reference])
    assert _refs(api_client, "status:open facture") == [b.reference]
    assert _refs(api_client, "status:resolved facture") == [a.reference]
    assert _refs(api_client, "team:equipe-facturation facture") == [a.reference]
    assert _refs(api_client, 'team:"équipe facturation"') == [a.reference]
    assert _refs(api_client, "priority:P1") == [b.reference]
    assert sorted(_refs(api_client, "from:BOB@example.test")) == sorted([b.reference, c.reference])
    assert _refs(api_client, "from:bob@example.test facture") == [b.reference]
    response = api_client.get("/api/v1/search", {"q": "team:nowhere facture"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["tickets"] == []
    assert response.json()["problems"] == ["Unknown team: nowhere"]


def test_customers_by_name_email_and_phone_for_agents(make_ticket, api_client):
    make_ticket(name="Hélène Côté", email="helene.cote@example.test", phone="+1 514 555 0199")
    found = api_client.get("/api/v1/search", {"q": "helene cote"}).json()["customers"]
    assert [c["name"] for c in found] == ["Hélène Côté"]
    assert found[0]["name_html"] == "<mark>Hélène</mark> <mark>Côté</mark>"
    assert (
        api_client.get("/api/v1/search", {"q": "helene.cote@example.test"}).json()["customers"][0]["id"]
        == found[0]["id"]
    )
    assert (
        api_client.get("/api/v1/search", {"q": "5145550199"}).json()["customers"][0]["id"] == found[0]["id"]
    )


def test_a_merged_customer_is_found_as_the_record_kept(make_ticket, api_client, agent):
    from django.contrib.auth import get_user_model

    one = make_ticket(name="Zoé Lapointe", email="zoe1@example.test")
    two = make_ticket(name="Zoé L.", email="zoe2@example.test")
    supervisor = get_user_model().objects.filter(pk=agent.pk).get()
    supervisor.is_supervisor = True
    supervisor.save()
    customer_merge(source_id=two.customer_id, target_id=one.customer_id, actor=supervisor)
    found = api_client.get("/api/v1/search", {"q": "zoe2@example.test"}).json()["customers"]
    assert [c["id"] for c in found] == [one.customer_id]


def test_search_needs_a_token_and_shows_only_visible_tickets(make_ticket, agent):
    ticket = make_ticket(subject="Facture", body="Facture fausse")
    assert Client().get("/api/v1/search", {"q": "facture"}).status_code == 401
    outsider = AgentFactory(is_agent=False)  # a user who is not (or no longer) an agent
    client = Client(headers={"Authorization": f"Bearer {api_token_create(user=outsider)}"})
    assert client.get("/api/v1/search", {"q": "facture"}).status_code == 401
    assert Client().get("/desk/search/", {"q": "facture"}).status_code == 302  # to the login page
    # The search itself, whatever the route, draws only from ticket_visible_to.
    assert search(actor=outsider, q="facture").tickets == []
    assert search(actor=outsider, q="facture").customers == []
    allowed = set(ticket_visible_to(actor=agent).values_list("reference", flat=True))
    assert ticket.reference in allowed
    assert (
        set(_refs(Client(headers={"Authorization": f"Bearer {api_token_create(user=agent)}"}), "facture"))
        <= allowed
    )


def test_internal_notes_are_found_by_agents_only(make_ticket, agent, api_client):
    ticket = make_ticket(subject="Compteur", body="Le compteur clignote.")
    ticket_agent_message(ticket=ticket, actor=agent, body="Client difficile, rappeler jeudi.", internal=True)
    hit = api_client.get("/api/v1/search", {"q": "jeudi"}).json()["tickets"]
    assert [h["reference"] for h in hit] == [ticket.reference] and hit[0]["snippet_internal"] is True
    # What a customer-facing search reads: subject and public messages, never the note.
    public_only = backends.ticket_matches(
        parse_query("jeudi"), restrict=None, within=None, internal=False, limit=5
    )
    assert public_only == []
    assert [
        pk
        for pk, _s in backends.ticket_matches(
            parse_query("clignote"), restrict=None, within=None, internal=False, limit=5
        )
    ] == [ticket.pk]
    # And a non-agent finds nothing of it.
    assert search(actor=AgentFactory(is_agent=False), q="jeudi").tickets == []


def test_index_is_written_in_the_transaction_of_the_reply(make_ticket, agent, api_client):
    ticket = make_ticket(subject="Compteur", body="Le compteur clignote.")
    with transaction.atomic():
        ticket_agent_message(ticket=ticket, actor=agent, body="Nous envoyons un technicien.", internal=False)
        assert _refs(api_client, "technicien") == [ticket.reference]  # before the commit
    try:
        with transaction.atomic():
            ticket_agent_message(
                ticket=ticket, actor=agent, body="Remplacement du disjoncteur.", internal=False
            )
            assert _refs(api_client, "disjoncteur") == [ticket.reference]
            raise RuntimeError
    except RuntimeError:
        pass
    assert _refs(api_client, "disjoncteur") == []  # rolled back with the reply
    assert _refs(api_client, "technicien") == [ticket.reference]


def test_customer_reply_is_indexed(make_ticket, api_client):
    from comptoir.tickets.services import ticket_customer_reply

    ticket = make_ticket(subject="Compteur", body="Le compteur clignote.")
    ticket_customer_reply(ticket=ticket, body="Toujours rien, la panne continue.", channel="web")
    assert _refs(api_client, "pannes") == [ticket.reference]


def test_reindex_command_rebuilds_the_index(make_ticket, api_client):
    ticket = make_ticket(subject="Relevé", body="Relevé de compteur erroné.")
    TicketDocument.objects.all().delete()
    assert _refs(api_client, "releve") == []
    call_command("search", "reindex")
    assert _refs(api_client, "releve") == [ticket.reference]


def test_invalid_queries_are_422_not_500(api_client):
    assert api_client.get("/api/v1/search").status_code == 422
    assert api_client.get("/api/v1/search", {"q": "x" * 501}).status_code == 422
    assert api_client.get("/api/v1/search", {"q": "a", "limit": 0}).status_code == 422
    for q in ['"', "*", "status:", ")(", "NOT OR AND", "a:b:c", "'; DROP TABLE x; --", "\u00e9*"]:
        assert api_client.get("/api/v1/search", {"q": q}).status_code == 200, q


def test_a_merge_moves_the_words_with_the_messages(make_ticket, agent, api_client):
    from comptoir.tickets.merge import ticket_merge, ticket_unmerge

    source = make_ticket(subject="Compteur", body="Le disjoncteur saute.", email="m@example.test")
    target = make_ticket(subject="Panne", body="Plus de courant.", email="m@example.test")
    merge = ticket_merge(actor=agent, source_id=source.pk, target_id=target.pk)
    assert _refs(api_client, "disjoncteur") == [target.reference]
    ticket_unmerge(actor=agent, merge_id=merge.pk)
    assert _refs(api_client, "disjoncteur") == [source.reference]
