"""Reply tools on the ticket page (issue 10): signature, send and set status, reply/note switch."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.tickets.models import Message, TicketEvent

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def reply(client: Client, ticket, **data):
    return client.post(f"/desk/tickets/{ticket.reference}/messages/", data)


def test_signature_is_set_on_my_settings_and_added_to_public_replies_only(
    make_ticket, agent, mailoutbox, django_capture_on_commit_callbacks
):
    client = login(agent)
    assert 'data-testid="signature-section"' in client.get("/desk/me/").content.decode()
    saved = client.post(
        "/desk/me/signature/",
        {"signature_fr": "Camille\r\nService à la clientèle", "signature_en": "Camille\r\nCustomer care"},
    )
    assert saved.status_code == 302
    fr = make_ticket(email="elodie@example.test")
    en = make_ticket(email="john@example.test", language="en", subject="Bill", body="My bill is wrong.")
    assert "Service à la clientèle" in client.get(f"/desk/tickets/{fr.reference}/").content.decode()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(client, fr, body="Un technicien passera demain.")
        reply(client, fr, body="Client vérifié.", internal="1")
        reply(client, en, body="A technician will come tomorrow.")
    bodies = dict(Message.objects.filter(author=agent).values_list("body", "kind"))
    assert bodies == {
        "Un technicien passera demain.\n\nCamille\nService à la clientèle": "public",
        "Client vérifié.": "internal",
        "A technician will come tomorrow.\n\nCamille\nCustomer care": "public",
    }
    assert len(mailoutbox) == 2
    assert "Camille\nService à la clientèle" in mailoutbox[0].body


@pytest.mark.attack("xss", "5")
def test_signature_is_plain_text_on_the_page(make_ticket, agent):
    client = login(agent)
    client.post("/desk/me/signature/", {"signature_fr": "<script>alert('sig')</script>", "signature_en": ""})
    page = client.get(f"/desk/tickets/{make_ticket().reference}/").content.decode()
    assert "<script>alert('sig')" not in page and "&lt;script&gt;alert(" in page


def test_too_long_signature_is_refused(agent):
    response = login(agent).post("/desk/me/signature/", {"signature_fr": "x" * 1001, "signature_en": ""})
    assert response.status_code == 400
    agent.refresh_from_db()
    assert agent.signature_fr == ""


def test_send_and_resolve_records_the_reply_and_the_status(
    make_ticket, agent, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = make_ticket(email="elodie@example.test")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = reply(login(agent), ticket, body="C'est corrigé.", then="resolved")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.resolved_at is not None
    assert Message.objects.get(ticket=ticket, kind="public").body == "C'est corrigé."
    assert TicketEvent.objects.filter(ticket=ticket, actor=agent, field="status", new="resolved").exists()
    assert len(mailoutbox) == 1


def test_send_and_wait_on_customer(make_ticket, agent):
    ticket = make_ticket()
    reply(
        login(agent), ticket, body="Pouvez-vous nous envoyer une photo du compteur ?", then="waiting_customer"
    )
    ticket.refresh_from_db()
    assert ticket.status == "waiting_customer"


def test_an_unknown_status_is_refused_and_nothing_is_sent(make_ticket, agent):
    ticket = make_ticket()
    assert reply(login(agent), ticket, body="Bonjour", then="closed").status_code == 400
    assert not Message.objects.filter(ticket=ticket, kind="public").exists()


def test_reply_form_offers_the_switch_and_the_send_buttons(make_ticket, agent):
    page = login(agent).get(f"/desk/tickets/{make_ticket().reference}/").content.decode()
    for test_id in ("mode-public", "mode-note", "send", "send-waiting", "send-resolved"):
        assert f'data-testid="{test_id}"' in page
    assert "Send reply" in page and "Add internal note" in page
    assert "reply-draft.js" in page
