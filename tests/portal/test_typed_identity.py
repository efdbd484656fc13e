"""What someone types into a public form proves nothing: it never reaches an existing customer's data.

An address or phone number typed on the request form or the chat box is not proof of owning it.
It must not open the customer's existing conversation (tests/channels/test_chat.py), and it must
not be added to the customer's record either: a phone number attached that way would make the
typist's later texts land in the customer's timeline and open SMS conversation, and the
customer's texts (tracking links, replies) go to the typist's phone.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import pytest
from django.test import Client

from comptoir.channels.sms import twilio_signature
from comptoir.customers.models import Identity
from comptoir.tickets.models import Ticket

pytestmark = pytest.mark.django_db

VICTIM = "victime@example.test"
ATTACKER_PHONE = "+15145550123"
SMS_TOKEN = "twilio-test-token-typed-identity"


def form(path: str, *, email: str, phone: str = "", text: str = "Bonjour, une question") -> dict:
    data = {"name": "Quelqu'un", "email": email, "phone": phone, "submission_id": uuid.uuid4().hex}
    if path == "/":
        return {**data, "subject": "Question", "description": text}
    return {**data, "message": text}


def sms(body: str, *, sender: str) -> int:
    url = "http://testserver/api/v1/inbound/sms"
    params = {"From": sender, "To": "+15145550000", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex}
    response = Client().post(
        "/api/v1/inbound/sms",
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": twilio_signature(url, params, SMS_TOKEN)},
    )
    assert response.status_code == 200, response.content[:300]
    return response.status_code


@pytest.mark.attack("access", "issue8-1")
@pytest.mark.parametrize("path", ["/", "/chat/"])
def test_a_typed_phone_is_never_added_to_the_customer_whose_email_was_typed(path, settings):
    settings.COMPTOIR_SMS_AUTH_TOKEN = SMS_TOKEN
    assert Client().post("/", form("/", email=VICTIM)).status_code == 302
    victim = Ticket.objects.get()

    response = Client().post(path, form(path, email=VICTIM, phone=ATTACKER_PHONE, text="Je suis la victime"))
    assert response.status_code == 302
    assert not Identity.objects.filter(customer_id=victim.customer_id, kind="phone").exists()
    # The typed request is a new one, filed for the agent beside the customer's open request.
    typed = Ticket.objects.exclude(pk=victim.pk).get()
    assert typed.linked_to_id == victim.pk and typed.review_reason

    sms("Quel est mon solde ?", sender=ATTACKER_PHONE)
    texted = Ticket.objects.get(channel="sms")
    assert texted.customer_id != victim.customer_id


def test_a_returning_customer_on_the_form_gets_a_new_request_linked_to_the_open_one(client):
    assert client.post("/", form("/", email=VICTIM, text="Première demande")).status_code == 302
    first = Ticket.objects.get()
    assert client.post("/", form("/", email=VICTIM, text="Deuxième demande")).status_code == 302
    second = Ticket.objects.exclude(pk=first.pk).get()
    assert second.customer_id == first.customer_id and second.linked_to_id == first.pk
    assert first.messages.count() == 1


def test_a_new_customer_keeps_every_identity_typed(client):
    assert client.post("/", form("/", email="nouvelle@example.test", phone=ATTACKER_PHONE)).status_code == 302
    ticket = Ticket.objects.get()
    assert set(Identity.objects.filter(customer=ticket.customer).values_list("kind", flat=True)) == {
        "email",
        "phone",
    }
    assert ticket.linked_to_id is None and ticket.review_reason == ""
