"""Issue 10, item 11: what a person reads is in their language, whoever wrote it and when.

A ticket's review flag and a held email's reason are stored as codes and rendered for the reader
(a flag raised while English was active reads in French on a French desk, and the reverse); a
staff member's language (their emails) is set by ``comptoir agent add --language``, their
settings page and the desk's language switch.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_create
from comptoir.outbox.models import Delivery
from comptoir.routing.models import Team
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.review import (
    ESCALATED,
    MAX,
    SAME_CONTACT,
    SENDER_UNPROVEN,
    SLA_MISSED,
    review_reason,
    review_reason_added,
    review_reason_codes,
    review_reason_text,
)
from comptoir.tickets.sla import sla_check
from tests.email.test_sender_auth import SECRET, open_ticket, spoof, webhook
from tests.factories import AgentFactory, TeamFactory

SAME_EN = "Same email or phone as an open request; nothing proves it is the same person."
SAME_FR = "Même courriel ou téléphone qu’une demande ouverte"  # the start of the French sentence


def _client(user: User, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def _flag(html: str) -> str:
    match = re.search(r'data-testid="review-reason">(.*?)</p>', html, re.S)
    assert match, "the ticket page shows the flag"
    return match.group(1)


def _waiting(html: str) -> str:
    start = html.find('data-testid="waiting"')
    assert start >= 0, "the desk shows Waiting for you"
    return html[start : html.find("</section>", start)]


def _french(text: str) -> str:
    with translation.override("fr"):
        return translation.gettext(text)


# --- the stored form ------------------------------------------------------------------------------


def test_a_flag_is_stored_once_and_read_in_each_language():
    stored = review_reason_added(
        current=review_reason(SENDER_UNPROVEN, "dmarc=none"), reason=review_reason(ESCALATED, "Client fâché")
    )
    assert review_reason_codes(stored) == [SENDER_UNPROVEN, ESCALATED]
    with translation.override("en"):
        english = review_reason_text(stored)
    with translation.override("fr"):
        french = review_reason_text(stored)
    assert english == (
        "Held for review: nothing proves who sent this message (dmarc=none). · "
        "Escalated to a supervisor: Client fâché"
    )
    assert (
        french.startswith("Retenu pour vérification") and "Escaladé à un superviseur : Client fâché" in french
    )
    # The same reason twice is kept once; the stored value does not depend on the active language.
    with translation.override("fr"):
        assert review_reason_added(current=stored, reason=review_reason(ESCALATED, "Client fâché")) == stored


def test_sla_targets_are_codes_rendered_as_labels():
    stored = review_reason(SLA_MISSED, "first_response,resolution")
    with translation.override("en"):
        assert review_reason_text(stored) == "SLA target missed: First response, Resolution"
    with translation.override("fr"):
        assert review_reason_text(stored) == _french("SLA target missed: %(targets)s") % {
            "targets": f"{_french('First response')}, {_french('Resolution')}"
        }


def test_a_long_reason_is_cut_to_the_column_and_a_full_flag_keeps_its_reasons():
    first = review_reason(ESCALATED, 'é"\\ ' * 150)
    assert len(first) <= MAX and review_reason_text(first).endswith("…")
    full = review_reason_added(current=first, reason=review_reason(SAME_CONTACT))
    assert len(full) <= MAX and review_reason_codes(full) == [ESCALATED]  # no room: left out


def test_a_flag_written_by_an_older_version_reads_as_written():
    assert review_reason_text("Expéditeur non prouvé") == "Expéditeur non prouvé"
    grown = review_reason_added(current="Expéditeur non prouvé", reason=review_reason(SAME_CONTACT))
    with translation.override("en"):
        assert review_reason_text(grown) == f"Expéditeur non prouvé · {SAME_EN}"


# --- the desk, the history and the API ------------------------------------------------------------


@pytest.mark.django_db
def test_a_flag_raised_in_english_reads_in_french_on_a_french_desk_and_the_reverse(make_ticket, team):
    supervisor = AgentFactory(teams=[team], is_supervisor=True)
    with translation.override("en"):
        make_ticket(email="meme@example.test")
        ticket = make_ticket(email="meme@example.test", subject="Deuxième demande", unproven_identity=True)
    assert review_reason_codes(ticket.review_reason) == [SAME_CONTACT], "stored as a code"
    url = reverse("desk:ticket", kwargs={"reference": ticket.reference})

    french = _client(supervisor, "fr").get(url).content.decode()
    assert SAME_FR in _flag(french) and "Same email" not in french
    assert _french("Flagged for review: %(reason)s") % {"reason": ""} in french  # the history sentence
    english = _client(supervisor, "en").get(url).content.decode()
    assert SAME_EN in _flag(english) and SAME_FR not in english
    assert f"Flagged for review: {SAME_EN}" in english

    waiting_fr = _waiting(_client(supervisor, "fr").get(reverse("desk:queue")).content.decode())
    assert ticket.reference in waiting_fr and SAME_FR in waiting_fr
    waiting_en = _waiting(_client(supervisor, "en").get(reverse("desk:queue")).content.decode())
    assert SAME_EN in waiting_en

    # The API: the flag in the request's language.
    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=supervisor)}"})
    detail = f"/api/v1/tickets/{ticket.reference}"
    assert api.get(detail, HTTP_ACCEPT_LANGUAGE="fr").json()["review_reason"].startswith(SAME_FR)
    assert api.get(detail, HTTP_ACCEPT_LANGUAGE="en").json()["review_reason"] == SAME_EN
    history = api.get(f"{detail}/history", HTTP_ACCEPT_LANGUAGE="fr").json()
    history = history["items"] if isinstance(history, dict) else history
    assert any(SAME_FR in e["text"] for e in history if e["field"] == "review_reason")


@pytest.mark.django_db
def test_an_older_plain_text_flag_is_shown_as_it_is(make_ticket, team):
    supervisor = AgentFactory(teams=[team], is_supervisor=True)
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(review_reason="Vérifier l’adresse")
    page = _client(supervisor, "en").get(reverse("desk:ticket", kwargs={"reference": ticket.reference}))
    assert "Vérifier l’adresse" in _flag(page.content.decode())


@pytest.mark.django_db
def test_a_held_email_reads_in_the_agent_language_and_its_review_clears_the_flag(settings, agent):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    with translation.override("en"):
        ticket, mid = open_ticket()
        webhook(spoof(ticket, mid))
    held = ticket.messages.get(hold=Message.Hold.UNPROVEN)
    ticket.refresh_from_db()
    assert ticket.review_reason == held.hold_reason and review_reason_codes(held.hold_reason)
    url = reverse("desk:ticket", kwargs={"reference": ticket.reference})
    french = _client(agent, "fr").get(url).content.decode()
    held_fr = re.search(r'data-testid="held-unproven">(.*?)<', french, re.S)
    assert held_fr and "Retenu pour vérification" in held_fr.group(1) and "[[" not in held_fr.group(1)
    english = _client(agent, "en").get(url).content.decode()
    assert "Not shown to the customer: Held for review" in english

    api = Client(headers={"Authorization": f"Bearer {api_token_create(user=agent)}"})
    body = api.get(f"/api/v1/tickets/{ticket.reference}", HTTP_ACCEPT_LANGUAGE="fr").json()
    (held_out,) = [m for m in body["messages"] if m["visibility"] == "held"]
    assert held_out["hold_reason"].startswith("Retenu pour vérification")
    assert all(m["hold_reason"] == "" for m in body["messages"] if m["visibility"] != "held")

    review = reverse("desk:message_review", kwargs={"reference": ticket.reference, "message_id": held.pk})
    assert _client(agent).post(review, {"decision": "reject"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.review_reason == "", "the held email's flag goes with its decision"


@pytest.mark.django_db
def test_a_missed_sla_target_reads_in_each_language(make_ticket, team):
    supervisor = AgentFactory(teams=[team], is_supervisor=True)
    ticket = make_ticket()
    assert ticket.sla_policy_id is not None
    with translation.override("en"):
        sla_check(ticket_id=ticket.pk, now=timezone.now() + timedelta(days=60))
    ticket.refresh_from_db()
    assert ticket.sla_breached and review_reason_codes(ticket.review_reason) == [SLA_MISSED]
    url = reverse("desk:ticket", kwargs={"reference": ticket.reference})
    assert "SLA target missed: " in _flag(_client(supervisor, "en").get(url).content.decode())
    french = _flag(_client(supervisor, "fr").get(url).content.decode())
    assert french.startswith(_french("SLA target missed: %(targets)s").split("%")[0])
    assert _french("First response") in french and "missed" not in french


# --- the staff member's language -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_who_switched_the_desk_to_french_gets_the_escalation_email_in_french(
    smtp_out, make_ticket, team
):
    level2 = TeamFactory(name="Niveau 2", level=Team.Level.L2)
    team.escalation_team = level2
    team.save(update_fields=["escalation_team"])
    boss = AgentFactory(teams=[level2], is_supervisor=True, email="chef@comptoir.test")
    assert boss.language == "en"
    boss_desk = _client(boss)
    switched = boss_desk.post(reverse("set_language"), {"language": "fr", "next": "/desk/"})
    assert switched.status_code == 302
    boss.refresh_from_db()
    assert boss.language == "fr", "the desk's language switch is saved on the signed-in agent"

    agent = AgentFactory(teams=[team], email="agent@comptoir.test")
    ticket = make_ticket(subject="Coupure rue des Lilas")
    response = _client(agent, "en").post(
        reverse("desk:ticket_escalate", kwargs={"reference": ticket.reference}),
        {"reason": "Client menace de partir", "summary": "Trois coupures ce mois.", "to_supervisor": "1"},
    )
    assert response.status_code == 302
    mails = [m for m in smtp_out.messages if m["To"] == "chef@comptoir.test"]
    assert len(mails) == 1, [m["To"] for m in smtp_out.messages]
    subject = _french("[%(reference)s] Escalated to a supervisor") % {"reference": ticket.reference}
    assert subject != f"[{ticket.reference}] Escalated to a supervisor"  # the catalogue has it
    assert str(mails[0]["Subject"]).strip() == subject
    assert "Client menace de partir" in mails[0].get_content()
    assert Delivery.objects.get(recipient="chef@comptoir.test").status == Delivery.Status.SENT

    # The flag the English-speaking agent raised reads in French on the supervisor's desk.
    page = boss_desk.get(reverse("desk:ticket", kwargs={"reference": ticket.reference})).content.decode()
    assert "Escaladé à un superviseur : Client menace de partir" in _flag(page)
    english = _client(agent, "en").get(reverse("desk:ticket", kwargs={"reference": ticket.reference}))
    assert "Escalated to a supervisor: Client menace de partir" in _flag(english.content.decode())


@pytest.mark.django_db
def test_the_settings_page_sets_the_agent_language(agent):
    desk = _client(agent, "en")
    page = desk.get(reverse("desk:me")).content.decode()
    assert 'data-testid="language-form"' in page and 'for="id_language"' in page
    response = desk.post(reverse("desk:me_language"), {"language": "fr"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "fr"
    agent.refresh_from_db()
    assert agent.language == "fr"
    assert 'lang="fr"' in desk.get(reverse("desk:me")).content.decode(), "the desk follows"
    assert desk.post(reverse("desk:me_language"), {"language": "de"}).status_code == 400
    agent.refresh_from_db()
    assert agent.language == "fr"


@pytest.mark.django_db
def test_the_language_switch_saves_nothing_for_visitors_and_customers(agent):
    assert Client().post(reverse("set_language"), {"language": "fr", "next": "/"}).status_code == 302
    customer = User.objects.create_user(email="client@example.test", password="x-Long-password-1", name="C")
    _client(customer).post(reverse("set_language"), {"language": "fr", "next": "/"})
    customer.refresh_from_db()
    assert customer.language == "en"
    # An unknown language changes nothing either.
    _client(agent).post(reverse("set_language"), {"language": "de", "next": "/desk/"})
    agent.refresh_from_db()
    assert agent.language == "en"


@pytest.mark.django_db
def test_agent_add_takes_the_language():
    add = ("agent", "add", "--team", "Accueil")
    call_command(*add, "fr@comptoir.test", "--name", "Fanny", "--language", "fr")
    assert User.objects.get(email="fr@comptoir.test").language == "fr"
    # Run again without it (to grant a role): the language chosen stays.
    call_command(*add, "fr@comptoir.test", "--name", "Fanny", "--supervisor")
    assert User.objects.get(email="fr@comptoir.test").language == "fr"
    with pytest.raises(CommandError):
        call_command(*add, "x@comptoir.test", "--name", "X", "--language", "de")
    assert not User.objects.filter(email="x@comptoir.test").exists()
