"""Triage through the real intake: rules, classifier, priority words, key accounts, the queue, learning."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.customers.models import Customer
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Category, Ticket, TicketEvent
from comptoir.triage.models import TrainingExample, TriageDecision, TriageRule
from comptoir.triage.selectors import triage_queue
from comptoir.triage.services import training_data
from tests.factories import AgentFactory, TeamFactory
from tests.sla.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_categories(db):
    """These tests make their own categories: drop the starter ones ``migrate`` created."""
    Category.objects.all().delete()


@pytest.fixture
def billing(db):
    team = TeamFactory(name="Facturation")
    return Category.objects.create(slug="billing", name_en="Billing", name_fr="Facturation", team=team)


def test_language_is_detected_from_the_text(make_ticket):
    fr = make_ticket(
        subject="Problème", body="Bonjour, je n'arrive plus à me connecter à mon compte.", language="en"
    )
    en = make_ticket(subject="Problem", body="Hello, I cannot log into my account anymore.", language="fr")
    assert fr.language == "fr" and en.language == "en"
    short = make_ticket(subject="", body="ok", language="fr")  # too short to tell: the declared language
    assert short.language == "fr"
    assert TriageDecision.objects.get(ticket=fr).language == "fr"


def test_rules_win_in_order_and_name_themselves_in_history(make_ticket, billing):
    other = Category.objects.create(slug="refund", name_en="Refund", name_fr="Remboursement")
    vip_team = TeamFactory(name="Grands comptes")
    TriageRule.objects.create(name="first", order=1, keywords="remboursement", set_category=other)
    TriageRule.objects.create(name="second", order=2, keywords="remboursement\nfacture", set_category=billing)
    TriageRule.objects.create(name="domain", order=3, sender_domain="hydro.example", set_team=vip_team)
    TriageRule.objects.create(name="sms", order=4, channel="sms", set_priority="P2")
    ticket = make_ticket(body="Je veux un remboursement de ma facture.", email="a@hydro.example")
    assert ticket.category == other  # the first matching rule owns the category
    assert ticket.team == vip_team  # a later rule may still set the team
    decision = TriageDecision.objects.get(ticket=ticket)
    assert decision.source == "rule" and decision.rules == "first, domain"
    note = TicketEvent.objects.get(ticket=ticket, field="triage").new
    assert "category=refund" in note and "rules: first, domain" in note
    only_billing = make_ticket(body="Ma facture est fausse.")
    assert only_billing.category == billing and only_billing.team.name == "Facturation"  # category's team


def test_accents_and_case_do_not_matter_for_keywords(make_ticket, billing):
    TriageRule.objects.create(name="r", keywords="électricité coupée", set_category=billing)
    assert make_ticket(body="ELECTRICITE COUPEE depuis ce matin").category == billing


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("Il y a des fils tombés dans ma rue, c'est dangereux.", "fr"),
        ("Ça sent le gaz dans le sous-sol.", "fr"),
        ("There is a strong gas smell near the meter.", "en"),
        ("Wires down across the road after the storm.", "en"),
    ],
)
def test_safety_words_make_a_ticket_p1(make_ticket, body, language):
    ticket = make_ticket(subject="Urgent", body=body, language=language)
    assert ticket.priority == "P1"
    assert "safety word" in TicketEvent.objects.get(ticket=ticket, field="triage").new


def test_a_harmless_message_stays_p3(make_ticket):
    assert make_ticket(body="Je voudrais changer mon adresse de facturation.").priority == "P3"


def test_outage_reported_by_many_becomes_p1(make_ticket, settings):
    settings.COMPTOIR_TRIAGE_OUTAGE_TICKETS = 3
    first = make_ticket(body="Panne de courant dans mon quartier.")
    second = make_ticket(body="Power outage on my street.", language="en")
    third = make_ticket(body="Encore une panne chez nous.")
    assert [first.priority, second.priority, third.priority] == ["P3", "P3", "P1"]


def test_sentiment_hook_can_raise_priority(make_ticket, settings):
    settings.COMPTOIR_SENTIMENT_HOOK = "tests.triage.hooks.angry_is_p2"
    assert make_ticket(body="C'est INADMISSIBLE, je suis furieux.").priority == "P2"
    assert make_ticket(body="Merci pour votre aide.").priority == "P3"


def test_key_account_gets_boost_own_policy_and_coordinator_alert(make_ticket):
    coordinator = AgentFactory(email="coord@comptoir.test")
    key_policy = SlaPolicyFactory(
        name="key P2", priority="P2", customer_tier="key", first_response_minutes=30
    )
    first = make_ticket(email="dg@grandclient.example", body="Question sur notre contrat.")
    customer = Customer.objects.get(pk=first.customer_id)
    customer.tier, customer.coordinator = "key", coordinator
    customer.save()
    ticket = make_ticket(email="dg@grandclient.example", body="Autre question sur le contrat.")
    ticket.refresh_from_db()
    assert ticket.priority == "P2" and ticket.sla_policy == key_policy
    alert = Delivery.objects.get(kind="staff_alert", recipient="coord@comptoir.test")
    assert ticket.reference in alert.subject and alert.ticket_id == ticket.pk


def test_low_confidence_goes_to_the_triage_queue_and_corrections_teach(make_ticket, billing, agent, settings):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 1.01  # nothing is sure enough
    ticket = make_ticket(subject="Question", body="J'ai une question sur mon dernier relevé.")
    assert ticket.category is None
    assert [t.pk for t in triage_queue()] == [ticket.pk]
    desk = Client()
    desk.force_login(agent)
    assert ticket.reference in desk.get("/desk/triage/").content.decode()
    token = api_token_create(user=agent)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    listed = api.get("/api/v1/triage/queue").json()
    assert listed[0]["ticket"]["reference"] == ticket.reference and 0 <= listed[0]["confidence"] <= 1
    response = api.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"version": ticket.version, "category": "billing"},
        content_type="application/json",
    )
    assert response.status_code == 200
    example = TrainingExample.objects.get(ticket=ticket)
    assert example.label == "billing" and "dernier relevé" in example.text and example.author == agent
    assert triage_queue() == []
    texts, labels = training_data()
    assert labels == ["billing"] and "dernier relevé" in texts[0]


def test_confident_classifier_sets_the_category(make_ticket, settings):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 0.0
    from comptoir.triage.services import classifier

    label = classifier().predict_one("I want a refund for my order")[0]
    category = Category.objects.create(slug=label.lower(), name_en=label, name_fr=label)
    ticket = make_ticket(subject="Refund", body="I want a refund for my order", language="en")
    assert ticket.category == category
    assert TriageDecision.objects.get(ticket=ticket).source == "model"


def test_rule_beats_the_classifier(make_ticket, billing, settings):
    settings.COMPTOIR_TRIAGE_MIN_CONFIDENCE = 0.0
    TriageRule.objects.create(name="all refunds are billing", keywords="refund", set_category=billing)
    ticket = make_ticket(subject="Refund", body="I want a refund for my order", language="en")
    assert ticket.category == billing


def test_ticket_priority_and_queue_are_unchanged_for_replies(make_ticket):
    ticket = make_ticket(body="Il y a des fils tombés.")
    assert Ticket.objects.get(pk=ticket.pk).priority == "P1"
    assert TriageDecision.objects.count() == 1


def test_administrators_write_rules_in_the_admin(make_ticket, billing):
    admin = AgentFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/triage/triagerule/add/",
        {
            "name": "factures",
            "order": 5,
            "is_active": "on",
            "keywords": "facture",
            "set_category": billing.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert make_ticket(body="Ma facture est fausse.").category == billing
    assert client.get(f"/admin/accounts/user/{admin.pk}/change/").status_code == 200
