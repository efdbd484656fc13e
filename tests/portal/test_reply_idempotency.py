"""A customer's reply or chat message sent twice (double click, retry after a dropped connection)
is stored once (issue 8, item 7): the forms carry a hidden submission id, as the request form does.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.tickets.models import Message
from comptoir.tickets.tracking import make_token
from tests.support import at_once

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def submission_id(html: str) -> str:
    match = re.search(r'name="submission_id" value="([0-9a-f]{32})"', html)
    assert match, "the form carries no submission id"
    return match.group(1)


def customer_messages(ticket) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        ticket.messages.filter(kind=Message.Kind.CUSTOMER).order_by("id").values_list("body", flat=True)
    )


@pytest.mark.fault("issue8-7")
def test_a_tracking_page_reply_sent_twice_is_stored_once(make_ticket):
    ticket = make_ticket(body="Ma facture est fausse.")
    url = f"/track/{make_token(ticket.tracking_uid)}/"
    client = Client()
    sid = submission_id(client.get(url).content.decode())
    data = {"body": "Voici ma facture corrigée.", "submission_id": sid}
    first, again = client.post(url, data), client.post(url, data)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == url
    assert customer_messages(ticket) == ["Ma facture est fausse.", "Voici ma facture corrigée."]
    # The next reply comes from a fresh form, so it is a new message.
    next_sid = submission_id(client.get(url).content.decode())
    assert next_sid != sid
    assert (
        client.post(url, {"body": "Voici ma facture corrigée.", "submission_id": next_sid}).status_code == 302
    )
    assert len(customer_messages(ticket)) == 3


@pytest.mark.fault("issue8-7")
def test_a_chat_message_sent_twice_is_stored_once(make_ticket):
    ticket = make_ticket(channel="chat", body="Bonjour")
    url = f"/chat/{make_token(ticket.tracking_uid)}/"
    client = Client()
    sid = submission_id(client.get(url).content.decode())
    data = {"message": "Mon numéro de compte est 4455", "submission_id": sid}
    first = client.post(url, data, headers=HTMX)
    again = client.post(url, data, headers=HTMX)
    assert first.status_code == again.status_code == 200
    assert customer_messages(ticket) == ["Bonjour", "Mon numéro de compte est 4455"]
    # The room sent back after a post holds a fresh form for the next message.
    assert submission_id(again.content.decode()) != sid
    assert client.post(url, data).status_code == 302  # without htmx, the same retry lands once too
    assert len(customer_messages(ticket)) == 2


def test_the_same_submission_id_with_another_text_is_refused(make_ticket):
    ticket = make_ticket(body="Bonjour")
    url = f"/track/{make_token(ticket.tracking_uid)}/"
    assert Client().post(url, {"body": "Premier texte", "submission_id": "a" * 32}).status_code == 302
    response = Client().post(
        url, {"body": "Autre texte", "submission_id": "a" * 32}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "already used" in response.content.decode()
    assert customer_messages(ticket) == ["Bonjour", "Premier texte"]
    assert submission_id(response.content.decode()) != "a" * 32


def test_a_refused_reply_can_be_corrected_and_sent(make_ticket, settings):
    settings.COMPTOIR_MAX_ATTACHMENT_BYTES = 1000
    ticket = make_ticket(body="Bonjour")
    url = f"/track/{make_token(ticket.tracking_uid)}/"
    client = Client()
    sid = submission_id(client.get(url).content.decode())
    big = SimpleUploadedFile("facture.pdf", b"%PDF-1.4\n" + b"0" * 1000, content_type="application/pdf")
    refused = client.post(url, {"body": "Ma facture", "attachment": big, "submission_id": sid})
    assert refused.status_code == 413
    # The corrected reply is a new submission: the form was given a new id.
    new_sid = submission_id(refused.content.decode())
    assert new_sid != sid
    assert client.post(url, {"body": "Ma facture", "submission_id": new_sid}).status_code == 302
    assert customer_messages(ticket) == ["Bonjour", "Ma facture"]


def test_a_reply_on_a_closed_request_opens_a_new_one_linked_to_it(make_ticket, agent):
    from comptoir.tickets.services import ticket_update

    ticket = make_ticket(body="Bonjour")
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status="closed")
    url = f"/track/{make_token(ticket.tracking_uid)}/"
    response = Client().post(url, {"body": "Encore moi", "submission_id": "b" * 32})
    assert response.status_code == 302
    new = ticket.__class__.objects.exclude(pk=ticket.pk).get()
    assert response["Location"] == f"/track/{make_token(new.tracking_uid)}/"
    assert new.linked_to_id == ticket.pk and customer_messages(new) == ["Encore moi"]
    assert customer_messages(ticket) == ["Bonjour"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.fault("issue8-7")
def test_concurrent_retries_of_one_chat_message_store_it_once(make_ticket):
    ticket = make_ticket(channel="chat", body="Bonjour")
    url = f"/chat/{make_token(ticket.tracking_uid)}/"
    data = {"message": "Une seule fois", "submission_id": "c" * 32}
    codes = at_once(lambda: Client().post(url, data, headers=HTMX).status_code)
    assert codes == [200] * 4
    assert customer_messages(ticket) == ["Bonjour", "Une seule fois"]


def test_a_refused_request_can_be_corrected_and_sent(settings):
    """Same for the request form: before, the corrected request was refused as a reused key (409)."""
    settings.COMPTOIR_MAX_ATTACHMENT_BYTES = 1000
    client = Client()
    sid = submission_id(client.get("/").content.decode())
    data = {"name": "Anaïs Roy", "email": "anais@example.test", "subject": "Facture", "description": "Fausse"}
    big = SimpleUploadedFile("facture.pdf", b"%PDF-1.4\n" + b"0" * 1000, content_type="application/pdf")
    refused = client.post("/", {**data, "attachment": big, "submission_id": sid})
    assert refused.status_code == 413
    new_sid = submission_id(refused.content.decode())
    assert new_sid != sid
    assert client.post("/", {**data, "submission_id": new_sid}).status_code == 302


def test_a_chat_message_on_a_closed_chat_moves_the_page_to_the_new_one(make_ticket, agent):
    from comptoir.tickets.services import ticket_update

    ticket = make_ticket(channel="chat", body="Bonjour")
    ticket_update(ticket_id=ticket.pk, actor=agent, version=ticket.version, status="closed")
    url = f"/chat/{make_token(ticket.tracking_uid)}/"
    response = Client().post(url, {"message": "Encore moi", "submission_id": "d" * 32}, headers=HTMX)
    new = ticket.__class__.objects.exclude(pk=ticket.pk).get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/chat/{make_token(new.tracking_uid)}/"
    assert new.linked_to_id == ticket.pk and customer_messages(new) == ["Encore moi"]
