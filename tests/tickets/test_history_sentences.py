"""Every history entry reads as a sentence in the reader's language, built at read time from the
structured row (which stays as stored): unit tests per event kind, then the desk page and the API."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from comptoir.customers.models import CustomerEvent
from comptoir.tickets.history import SENTENCES, event_sentence
from comptoir.tickets.models import Category, TicketEvent
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

MARIE = "Marie Tremblay"

# (kind, old, new, English sentence); the actor is Marie Tremblay unless the kind is automatic.
CASES = [
    ("created", "", "email", f"{MARIE} opened the ticket (channel: Email)."),
    ("status", "new", "waiting_customer", f"{MARIE} changed the status from New to Waiting on customer."),
    ("priority", "P3", "P1", f"{MARIE} changed the priority from P3 – normal to P1 – critical."),
    ("team", "Accueil", "Réseau", f"{MARIE} moved the ticket from team Accueil to team Réseau."),
    ("team", "", "Réseau", f"{MARIE} put the ticket in team Réseau."),
    ("assignee", "", "paul@comptoir.test", f"{MARIE} assigned the ticket to Paul Gagnon."),
    ("assignee", "paul@comptoir.test", "", f"{MARIE} unassigned Paul Gagnon; the ticket is back in the queue."),  # noqa: E501
    ("assignee", "paul@comptoir.test", "gone@comptoir.test",
     f"{MARIE} reassigned the ticket from Paul Gagnon to gone@comptoir.test."),
    ("category", "billing", "meter", f"{MARIE} changed the category from Billing to Meter."),
    ("category", "", "billing", f"{MARIE} set the category to Billing."),
    ("category", "billing", "", f"{MARIE} removed the category Billing."),
    ("attachment", "", "facture.pdf", f"{MARIE} attached the file facture.pdf."),
    ("configuration_item", "", "srv-web-01", f"{MARIE} linked the configuration item srv-web-01."),
    ("linked_to", "", "CPT-000042", f"{MARIE} linked this ticket to CPT-000042."),
    ("review_reason", "", "Sender not proven", "Flagged for review: Sender not proven"),
    ("review_reason", "Sender not proven", "", f"{MARIE} marked the ticket as reviewed."),
    ("customer", "#3", "#7", f"{MARIE} moved the ticket from customer record #3 to #7."),
    ("level", "1", "2", f"{MARIE} moved the ticket from Level 1 to Level 2."),
    ("escalation", "", "level 2: Réseau en panne", f"{MARIE} escalated the ticket to level 2: Réseau en panne"),  # noqa: E501
    ("escalation", "", "supervisor: Client fâché", f"{MARIE} escalated the ticket to a supervisor: Client fâché"),  # noqa: E501
    ("escalation", "level 2", "level 1: Pas du niveau 2",
     f"{MARIE} sent the ticket back to level 1: Pas du niveau 2"),
    ("sla_warning", "", "first_response", "SLA warning: First response is due soon."),
    ("sla_breach", "", "resolution", "SLA target missed: Resolution."),
    ("triage", "", "language=fr (1.00); category=billing; team=Accueil; by=model (0.96); triage queue",
     "Language detected: French (1.00). Automatic triage: category: Billing · team: Accueil · "
     "decided by: the classifier (0.96) · in the triage queue."),
    ("enrichment", "", "by=model (0.91); category=meter; duration=12",
     "Analysis done: decided by: the classifier (0.91) · category: Meter · duration: 12 ms."),
    ("pick", "", "marie@comptoir.test", f"{MARIE} took the ticket from the queue."),
    ("next", "", "marie@comptoir.test", f"{MARIE} got the ticket with Next ticket."),
    ("next", "", "automatic assignment", f"The ticket was assigned automatically to {MARIE}."),
    ("skip", "marie@comptoir.test", "Pas ma compétence", f"{MARIE} handed the ticket back: Pas ma compétence"),  # noqa: E501
    ("reply_held", "", "paul@comptoir.test", f"{MARIE} wrote a reply that waits for approval by Paul Gagnon."),  # noqa: E501
    ("reply_approved", "", "paul@comptoir.test", f"{MARIE} approved the reply of Paul Gagnon; it was sent."),
    ("message_held", "", "12", "A message was held: nothing proves who sent it."),
    ("message_accepted", "", "12", f"{MARIE} accepted the held message as the customer's."),
    ("message_rejected", "", "12", f"{MARIE} rejected the held message."),
]  # fmt: skip

AUTOMATIC = {"triage", "enrichment", "sla_warning", "sla_breach", "message_held"}


@pytest.fixture
def world(make_ticket):
    Category.objects.update_or_create(
        slug="billing", defaults={"name_en": "Billing", "name_fr": "Facturation"}
    )
    Category.objects.update_or_create(slug="meter", defaults={"name_en": "Meter", "name_fr": "Compteur"})
    AgentFactory(email="paul@comptoir.test", name="Paul Gagnon")
    marie = AgentFactory(email="marie@comptoir.test", name=MARIE)
    return make_ticket(), marie


def _event(ticket, marie, kind: str, old: str, new: str) -> TicketEvent:
    person = kind not in AUTOMATIC
    return TicketEvent.objects.create(
        ticket=ticket, actor=marie if person else None, actor_label=MARIE if person else "",
        field=kind, old=old, new=new,
    )  # fmt: skip


def test_every_kind_has_a_sentence():
    assert set(TicketEvent.Kind.values) <= set(SENTENCES)  # a new kind comes with its sentence


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "old", "new", "english"), CASES)
def test_each_event_reads_as_an_english_sentence(world, kind, old, new, english):
    event = _event(*world, kind, old, new)
    with translation.override("en"):
        assert event_sentence(event) == english
    stored = TicketEvent.objects.get(pk=event.pk)  # the row stays structured
    assert (stored.field, stored.old, stored.new) == (kind, old, new)


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "old", "new", "english"), CASES)
def test_the_french_sentence_carries_the_french_labels(world, kind, old, new, english):
    """Structure only until the lead translates the sentences: the values are there, in French;
    once the sentence is in the French catalogue it must differ from the English one."""
    event = _event(*world, kind, old, new)
    with translation.override("fr"):
        french = event_sentence(event)
        pattern_translated = gettext("%(actor)s changed the status from %(old)s to %(new)s.") != (
            "%(actor)s changed the status from %(old)s to %(new)s."
        )
    assert french and "%(" not in french
    if MARIE in english:
        assert MARIE in french
    for slug, name_fr in (("billing", "Facturation"), ("meter", "Compteur")):
        if slug in (old, new) or f"category={slug}" in new:
            assert name_fr in french, french
    if kind == "status":
        assert "Nouveau" in french or "Nouvelle" in french, french
    if kind == "triage":
        assert "Français" in french, french
    if pattern_translated:
        assert french != english


@pytest.mark.django_db
def test_an_unknown_kind_still_reads_as_a_sentence(world):
    event = _event(*world, "future_kind", "", "2026-12-01")
    with translation.override("en"):
        assert event_sentence(event) == f"{MARIE} set “future_kind” to 2026-12-01."


@pytest.mark.django_db
def test_the_desk_shows_sentences_not_codes(make_ticket, desk_client, agent):
    Category.objects.update_or_create(slug="meter", defaults={"name_en": "Meter", "name_fr": "Compteur"})
    ticket = make_ticket()
    other = TeamFactory(name="Réseau")
    response = desk_client.post(
        f"/desk/tickets/{ticket.reference}/change/",
        {"version": ticket.version, "status": "open", "priority": "P1", "team": other.pk,
         "assignee": agent.pk, "category": "meter"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 302
    page = desk_client.get(f"/desk/tickets/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    start = page.index('data-testid="history"')
    history = page[start : page.index("</ol>", start)]
    name = agent.name
    assert f"{name} changed the priority from P3 – normal to P1 – critical." in history
    assert f"{name} assigned the ticket to {name}." in history
    assert re.search(rf"{name} (set|changed) the category (from \w+ )?to Meter\.", history)
    assert "team Réseau." in history
    assert "Language detected: French" in history
    assert "language=fr" not in history and "by=" not in history and "P3 →" not in history
    french = desk_client.get(f"/desk/tickets/{ticket.reference}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Compteur" in french[french.index('data-testid="history"') :]


@pytest.mark.django_db
def test_the_api_gives_each_event_its_sentence_in_the_requested_language(make_ticket, api_client, agent):
    ticket = make_ticket()
    api_client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        {"version": ticket.version, "priority": "P2"},
        content_type="application/json",
    )
    events = api_client.get(f"/api/v1/tickets/{ticket.reference}/history", HTTP_ACCEPT_LANGUAGE="en").json()
    texts = {e["field"]: e["text"] for e in events}
    assert texts["priority"] == f"{agent.name} changed the priority from P3 – normal to P2 – high."
    assert texts["triage"].startswith("Language detected: French")
    assert all(e["text"] and not re.search(r"\w+=\w", e["text"]) for e in events)


@pytest.mark.django_db
def test_customer_record_history_reads_as_sentences(desk_client):
    customer = CustomerFactory(name="Élodie Tremblay")
    CustomerEvent.objects.create(customer=customer, kind="consent_granted", detail="sms: web form")
    CustomerEvent.objects.create(
        customer=customer, kind="consent_withdrawn", detail="email: STOP", actor_label="marie@comptoir.test"
    )
    page = desk_client.get(f"/desk/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    history = page[page.index('data-testid="record-history"') :]
    assert "Comptoir recorded consent to SMS messages (source: web form)." in history
    assert "marie@comptoir.test recorded withdrawn consent to Email messages (source: STOP)." in history
