from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.tickets.models import Attachment, Message, Ticket
from comptoir.tickets.services import ticket_agent_message, ticket_update
from comptoir.tickets.tracking import make_token

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Anaïs Roy",
    "email": "anais@example.test",
    "subject": "Carte refusée",
    "description": "Ma carte est refusée alors que le solde est suffisant.",
}


def test_form_needs_only_name_contact_subject_description(
    client, django_capture_on_commit_callbacks, mailoutbox
):  # noqa: E501
    page = client.get("/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/", FORM, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    confirmation = client.get(response["Location"])
    assert ticket.reference in confirmation.content.decode()
    assert ticket.channel == "web" and ticket.language == "fr" and ticket.customer.language == "fr"
    assert mailoutbox[0].to == ["anais@example.test"]


def test_form_without_email_or_phone_is_refused_with_message(client):
    response = client.post("/", {**FORM, "email": ""})
    assert response.status_code == 400
    assert "email address or a phone number" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_double_submit_of_one_form_makes_one_ticket(client):
    data = {**FORM, "submission_id": "f3b1c2d4e5"}
    first = client.post("/", data)
    second = client.post("/", data)
    assert first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1


def test_oversized_attachment_is_refused_with_a_clear_message(client, settings):
    settings.COMPTOIR_MAX_ATTACHMENT_BYTES = 1000
    big = SimpleUploadedFile("facture.pdf", b"%PDF-1.4\n" + b"0" * 1000, content_type="application/pdf")
    response = client.post("/", {**FORM, "attachment": big})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_tracking_page_shows_public_replies_never_internal_notes(client, make_ticket, agent):
    ticket = make_ticket()
    ticket_agent_message(ticket=ticket, actor=agent, body="Réponse publique visible", internal=False)
    ticket_agent_message(ticket=ticket, actor=agent, body="NOTE-INTERNE-SECRETE", internal=True)
    page = client.get(f"/track/{make_token(ticket.tracking_uid)}/").content.decode()
    assert "Réponse publique visible" in page
    assert "NOTE-INTERNE-SECRETE" not in page


def test_customer_reply_with_attachment_reopens_waiting_ticket(client, make_ticket, agent):
    ticket = make_ticket()
    ticket = ticket_update(
        ticket_id=ticket.pk, actor=agent, version=ticket.version, status="waiting_customer"
    )
    pdf = SimpleUploadedFile("reçu.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", content_type="application/pdf")
    url = f"/track/{make_token(ticket.tracking_uid)}/"
    response = client.post(url, {"body": "Voici le reçu demandé.", "attachment": pdf})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "open"
    message = ticket.messages.filter(kind=Message.Kind.CUSTOMER).last()
    assert message.body == "Voici le reçu demandé."
    att = message.attachments.get()
    assert att.filename == "reçu.pdf" and att.content_type == "application/pdf"
    download = client.get(f"{url}files/{att.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert list(ticket.events.filter(field="status").values_list("new", flat=True)) == [
        "waiting_customer",
        "open",
    ]


def test_wrong_or_altered_token_is_404(client, make_ticket):
    ticket = make_ticket()
    token = make_token(ticket.tracking_uid)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (altered, ticket.reference, "x" * 54, str(ticket.tracking_uid)):
        assert client.get(f"/track/{bad}/").status_code == 404
    assert client.get(f"/track/{token}/")["Referrer-Policy"] == "same-origin"
