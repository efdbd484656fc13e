"""SMS in (signed Twilio-style webhook) and out (provider backend), and the consent around it.

THREATS.md case 17 (SSRF through MediaUrl0).
"""

from __future__ import annotations

import select
import socket

import pytest

from comptoir.customers.models import Consent, CustomerEvent, Identity
from comptoir.intake.models import InboundRecord
from comptoir.outbox.models import CapturedSms, Delivery
from comptoir.outbox.services import delivery_send
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.tracking import tracking_url

from .conftest import MISSING, PHONE

pytestmark = pytest.mark.django_db


def reply(desk_client, ticket: Ticket, body: str, *, capture, internal: bool = False):
    """An agent answers from the desk; after-commit sends run."""
    data = {"body": body}
    if internal:
        data["internal"] = "on"
    with capture(execute=True):
        response = desk_client.post(f"/desk/tickets/{ticket.reference}/messages/", data)
    assert response.status_code == 302, response.content[:500]


def sms_ticket(send_sms) -> Ticket:
    response = send_sms("Bonjour, ma facture de mars est trop élevée.")
    assert response.status_code == 200, response.content
    return Ticket.objects.get(reference=response.json()["ticket"])


def consent(phone: str = PHONE) -> bool:
    customer = Identity.objects.get(kind="phone", value=phone).customer
    return Consent.objects.get(customer=customer, channel="sms").granted


# --- in: a signed SMS opens a ticket, acknowledged by SMS --------------------------------------


def test_signed_sms_opens_a_ticket_and_is_acknowledged_by_sms(send_sms):
    response = send_sms("Bonjour, ma facture de mars est trop élevée.")
    assert response.status_code == 200, response.content
    assert response.json()["action"] == "message"
    ticket = Ticket.objects.get(reference=response.json()["ticket"])
    assert ticket.channel == "sms"
    identity = Identity.objects.get(kind="phone", value=PHONE)
    assert ticket.customer_id == identity.customer_id
    message = ticket.messages.get()
    assert message.channel == "sms" and message.kind == Message.Kind.CUSTOMER
    assert "trop élevée" in message.body
    assert consent() is True

    delivery = Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.ACK)
    assert delivery.channel == "sms" and delivery.recipient == PHONE
    texts = list(CapturedSms.objects.filter(recipient=PHONE))
    assert len(texts) == 1, "the acknowledgment was not texted through the SMS backend"
    assert ticket.reference in texts[0].body
    assert tracking_url(ticket.tracking_uid) in texts[0].body
    assert "trop élevée" not in texts[0].body  # never the customer's own text
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_sms_is_never_sent_as_an_email(send_sms, mailoutbox):
    sms_ticket(send_sms)
    assert [m.to for m in mailoutbox] == [], "an SMS delivery went out through the email backend"


@pytest.mark.parametrize(
    "signature",
    [pytest.param("bm90LXRoZS1yaWdodC1vbmU=", id="wrong"), pytest.param(MISSING, id="missing")],
)
def test_bad_or_missing_signature_is_refused_and_nothing_is_stored(send_sms, signature):
    response = send_sms("Bonjour", signature=signature)
    assert response.status_code == 401, response.content
    assert InboundRecord.objects.count() == 0
    assert Ticket.objects.count() == 0 and Identity.objects.count() == 0
    assert CapturedSms.objects.count() == 0


def test_signature_for_other_params_is_refused(send_sms, sms_token):
    from comptoir.channels.sms import twilio_signature

    forged = twilio_signature(
        "http://testserver/api/v1/inbound/sms",
        {"From": PHONE, "To": "+15145550000", "Body": "autre texte", "MessageSid": "SM1"},
        sms_token,
    )
    response = send_sms("Bonjour", sid="SM1", signature=forged)
    assert response.status_code == 401
    assert Ticket.objects.count() == 0


def test_webhook_is_disabled_without_a_token(send_sms, settings):
    settings.COMPTOIR_SMS_AUTH_TOKEN = ""
    response = send_sms("Bonjour")
    assert response.status_code == 403, response.content
    assert InboundRecord.objects.count() == 0 and Ticket.objects.count() == 0


# --- threading and duplicates ------------------------------------------------------------------


def test_second_sms_continues_the_open_sms_ticket(send_sms):
    ticket = sms_ticket(send_sms)
    response = send_sms("J'oubliais : mon numéro de compte est 12345.")
    assert response.status_code == 200
    assert response.json()["ticket"] == ticket.reference
    assert Ticket.objects.count() == 1
    assert ticket.messages.count() == 2
    assert Delivery.objects.filter(kind=Delivery.Kind.ACK).count() == 1


def test_sms_from_another_phone_opens_another_ticket(send_sms):
    ticket = sms_ticket(send_sms)
    response = send_sms("Bonjour", sender="+15145550123")
    assert response.json()["ticket"] != ticket.reference
    assert Ticket.objects.count() == 2


def test_duplicate_message_sid_makes_one_message(send_sms):
    first = send_sms("Panne de courant rue Saint-Denis", sid="SMdup0001")
    again = send_sms("Panne de courant rue Saint-Denis", sid="SMdup0001")
    assert first.status_code == again.status_code == 200
    assert first.json()["ticket"] == again.json()["ticket"]
    assert Message.objects.count() == 1
    assert InboundRecord.objects.count() == 1


# --- out: agent replies by SMS, consent ---------------------------------------------------------


def test_agent_public_reply_on_an_sms_ticket_is_texted(
    send_sms, desk_client, django_capture_on_commit_callbacks
):
    ticket = sms_ticket(send_sms)
    reply(desk_client, ticket, "Nous vérifions votre facture.", capture=django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.REPLY)
    assert delivery.channel == "sms" and delivery.recipient == PHONE
    texts = CapturedSms.objects.filter(recipient=PHONE, body__contains="Nous vérifions votre facture.")
    assert texts.count() == 1


def test_internal_note_on_an_sms_ticket_is_never_texted(
    send_sms, desk_client, django_capture_on_commit_callbacks
):
    ticket = sms_ticket(send_sms)
    reply(desk_client, ticket, "Client difficile", capture=django_capture_on_commit_callbacks, internal=True)
    assert not Delivery.objects.filter(ticket=ticket, kind=Delivery.Kind.REPLY).exists()
    assert not CapturedSms.objects.filter(body__contains="difficile").exists()


@pytest.mark.parametrize("word", ["STOP", "ARRÊT", "arret", "Stop."])
def test_stop_words_withdraw_consent_and_replies_are_not_texted(
    send_sms, desk_client, django_capture_on_commit_callbacks, mailoutbox, word
):
    ticket = sms_ticket(send_sms)
    texted = CapturedSms.objects.count()
    response = send_sms(word)
    assert response.status_code == 200
    assert response.json() == {"action": "stop", "ticket": None}
    assert consent() is False
    event = CustomerEvent.objects.filter(customer=ticket.customer, kind="consent_withdrawn").get()
    assert "sms" in event.detail
    assert ticket.messages.count() == 1  # the keyword is not a message on the ticket

    reply(desk_client, ticket, "Votre facture est corrigée.", capture=django_capture_on_commit_callbacks)
    assert CapturedSms.objects.count() == texted
    assert not Delivery.objects.filter(ticket=ticket, kind=Delivery.Kind.REPLY, channel="sms").exists()
    assert not any("corrigée" in m.body for m in mailoutbox)  # no email address known: nothing


def test_after_stop_a_reply_falls_back_to_email_when_the_customer_has_one(
    send_sms, desk_client, django_capture_on_commit_callbacks, mailoutbox
):
    ticket = sms_ticket(send_sms)
    Identity.objects.create(customer=ticket.customer, kind="email", value="sms.client@example.test")
    send_sms("STOP")
    texted = CapturedSms.objects.count()
    reply(desk_client, ticket, "Votre facture est corrigée.", capture=django_capture_on_commit_callbacks)
    assert CapturedSms.objects.count() == texted
    delivery = Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.REPLY)
    assert delivery.channel == "email" and delivery.recipient == "sms.client@example.test"
    assert [m.to for m in mailoutbox if "corrigée" in m.body] == [["sms.client@example.test"]]


def test_a_later_message_does_not_silently_regrant_consent(send_sms):
    sms_ticket(send_sms)
    send_sms("STOP")
    send_sms("Encore une question sur ma facture")
    assert consent() is False


def test_start_regrants_consent(send_sms, desk_client, django_capture_on_commit_callbacks):
    ticket = sms_ticket(send_sms)
    send_sms("ARRÊT")
    response = send_sms("START")
    assert response.json() == {"action": "start", "ticket": None}
    assert consent() is True
    kinds = list(
        CustomerEvent.objects.filter(customer=ticket.customer).order_by("id").values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["consent_withdrawn", "consent_granted"]
    reply(desk_client, ticket, "De retour par SMS.", capture=django_capture_on_commit_callbacks)
    assert CapturedSms.objects.filter(recipient=PHONE, body__contains="De retour par SMS.").count() == 1


def test_reply_queued_before_stop_but_sent_after_is_not_texted(send_sms, agent):
    from comptoir.tickets.services import ticket_agent_message

    ticket = sms_ticket(send_sms)
    texted = CapturedSms.objects.count()
    # Queued while consent holds; its send (after commit) has not run yet.
    message = ticket_agent_message(ticket=ticket, actor=agent, body="Réponse en attente", internal=False)
    delivery = Delivery.objects.get(idempotency_key=f"reply:{message.pk}")
    assert delivery.channel == "sms" and delivery.status == Delivery.Status.PENDING
    send_sms("STOP")
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED, delivery.status
    assert "no SMS consent" in delivery.last_error
    assert CapturedSms.objects.count() == texted


# --- 17: media URLs are never fetched (SSRF) ---------------------------------------------------


@pytest.mark.attack("ssrf", "17")
def test_media_urls_are_never_fetched(send_sms):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    try:
        urls = [
            f"http://127.0.0.1:{port}/latest/meta-data/",
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            f"http://[::ffff:127.0.0.1]:{port}/x",
            f"http://localhost:{port}/redirect?to=http://10.0.0.1/",
        ]
        extra = {f"MediaUrl{i}": url for i, url in enumerate(urls)}
        extra.update({f"MediaContentType{i}": "image/jpeg" for i in range(len(urls))})
        response = send_sms("Photo du compteur", NumMedia=str(len(urls)), **extra)
        assert response.status_code == 200, response.content
        ready, _w, _x = select.select([listener], [], [], 1.0)
        assert ready == [], "the server connected to an address given by the SMS gateway"
    finally:
        listener.close()
    message = Ticket.objects.get(reference=response.json()["ticket"]).messages.get()
    assert "Photo du compteur" in message.body
    assert "4" in message.body  # the media are named as not downloaded
    for url in urls:
        assert url not in message.body
