"""My requests (issue 10, item 8): sign-in by one-time link, and a customer's own data only.

Everything from outside, through the test client: the link is read from the email Comptoir sent
(the outbox, delivered to Django's test mailbox), and every attempt on another customer's request
goes through the same URLs a browser would use, changing only the reference.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from comptoir.customers.models import Organisation, SignInLink
from comptoir.intake.models import InboundRecord
from comptoir.outbox.models import Delivery
from comptoir.portal import my as portal_my
from comptoir.tickets.models import Attachment, Message, Ticket, TicketEvent
from comptoir.tickets.services import ticket_agent_message

pytestmark = pytest.mark.django_db

ALICE = "alice@example.test"
BOB = "bob@example.test"
LINK = re.compile(r"https?://[^\s]+/my/continue/(?P<token>[^/\s]+)/")
SAME_ANSWER = "If this address is one we know, a sign-in link is on its way."


def ask_link(client: Client, email: str, capture, language: str = "en") -> object:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return client.post("/my/signin/", {"email": email}, HTTP_ACCEPT_LANGUAGE=language)


def link_in(mail) -> str:  # type: ignore[no-untyped-def]
    match = LINK.search(mail.body)
    assert match is not None, mail.body
    return match["token"]


def sign_in(client: Client, email: str, capture, mailoutbox) -> str:  # type: ignore[no-untyped-def]
    """Sign ``client`` in as the owner of ``email`` the way a customer does; returns the token."""
    before = len(mailoutbox)
    assert ask_link(client, email, capture).status_code == 302
    assert len(mailoutbox) == before + 1
    token = link_in(mailoutbox[-1])
    assert client.get(f"/my/continue/{token}/").status_code == 200
    response = client.post(f"/my/continue/{token}/")
    assert response.status_code == 302 and response["Location"] == "/my/"
    return token


@pytest.fixture
def two_customers(make_ticket):  # type: ignore[no-untyped-def]
    """Alice with two requests, Bob with one (with a file)."""
    a1 = make_ticket(email=ALICE, name="Alice Martin", subject="Facture de mars")
    a2 = make_ticket(email=ALICE, name="Alice Martin", subject="Compteur bloqué")
    b1 = make_ticket(
        email=BOB,
        name="Bob Roy",
        subject="Secret de Bob",
        attachments=(),
    )
    return a1, a2, b1


def test_a_customer_signs_in_by_link_and_sees_only_their_requests(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox
):
    a1, a2, b1 = two_customers
    assert a1.customer_id == a2.customer_id != b1.customer_id
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    mail = mailoutbox[-1]
    assert mail.to == [ALICE]
    assert "/my/continue/" in mail.body
    page = client.get("/my/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert a1.reference in page and a2.reference in page
    assert b1.reference not in page and "Secret de Bob" not in page
    assert "Open" in page or "New" in page  # the status column
    # The stored link is a hash, never the token itself.
    token = link_in(mail)
    assert not SignInLink.objects.filter(token_hash=token).exists()


def test_the_link_email_is_in_the_customers_language(
    client, make_ticket, django_capture_on_commit_callbacks, mailoutbox
):
    make_ticket(email=ALICE, language="en", subject="Meter", body="My meter is stuck, please help.")
    ask_link(client, ALICE, django_capture_on_commit_callbacks, language="fr")
    assert mailoutbox[-1].subject == "Your link to sign in to your requests"


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox
):
    known = ask_link(client, ALICE, django_capture_on_commit_callbacks)
    sent = len(mailoutbox)
    unknown = ask_link(Client(), "nobody@example.test", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert _page(client, known["Location"]) == _page(Client(), unknown["Location"])
    assert SAME_ANSWER in client.get(known["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert sent == 1 and len(mailoutbox) == 1  # nothing sent to the unknown address
    assert not Delivery.objects.filter(recipient="nobody@example.test").exists()


def _page(client: Client, url: str) -> str:
    """The page without its CSRF token (each browser has its own)."""
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_a_link_works_once(client, two_customers, django_capture_on_commit_callbacks, mailoutbox):
    token = sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    other = Client()
    assert other.get(f"/my/continue/{token}/").status_code == 404
    again = other.post(f"/my/continue/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 404
    assert "already used, has expired or is incomplete" in html.unescape(again.content.decode())
    assert 'data-testid="signin-form"' in other.get("/my/").content.decode()  # not signed in


def test_using_a_link_spends_the_older_ones(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox
):
    ask_link(client, ALICE, django_capture_on_commit_callbacks)
    first = link_in(mailoutbox[-1])
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    assert Client().post(f"/my/continue/{first}/").status_code == 404


def test_an_expired_link_fails(client, two_customers, django_capture_on_commit_callbacks, mailoutbox):
    ask_link(client, ALICE, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[-1])
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/my/continue/{token}/").status_code == 404
    assert client.post(f"/my/continue/{token}/").status_code == 404
    assert 'data-testid="signin-form"' in client.get("/my/").content.decode()


@pytest.mark.parametrize("token", ["x", "A" * 43, "../../etc", "A" * 500])
def test_a_forged_link_fails(client, two_customers, token):
    assert client.post(f"/my/continue/{token}/").status_code == 404
    assert 'data-testid="signin-form"' in client.get("/my/").content.decode()


def test_signing_in_rotates_the_session_and_gives_no_desk_access(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox
):
    client.get("/my/")
    client.session.save()
    before = client.session.session_key
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    assert client.session.session_key != before
    desk = client.get("/desk/")
    assert desk.status_code == 302 and "/desk/login/" in desk["Location"]
    assert client.get("/desk/tickets/" + two_customers[0].reference + "/").status_code == 302
    assert client.get("/api/v1/tickets").status_code == 401


def test_sign_out_ends_the_customer_session(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox
):
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    signed_in = client.session.session_key
    response = client.post("/my/signout/")
    assert response.status_code == 302
    assert client.session.session_key != signed_in
    page = client.get("/my/").content.decode()
    assert 'data-testid="signin-form"' in page and two_customers[0].reference not in page
    assert client.get(f"/my/requests/{two_customers[0].reference}/").status_code == 302


def test_anonymous_visitors_are_sent_to_the_sign_in_form(client, two_customers):
    a1 = two_customers[0]
    for url in (f"/my/requests/{a1.reference}/", "/my/new/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/my/"
    assert client.post(f"/my/requests/{a1.reference}/close/").status_code == 302
    a1.refresh_from_db()
    assert a1.status != Ticket.Status.CLOSED


def test_a_customer_cannot_open_answer_or_close_another_customers_request(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox, agent
):
    a1, _a2, b1 = two_customers
    reply = ticket_agent_message(ticket=b1, actor=agent, body="Réponse privée pour Bob", internal=False)
    Attachment.objects.filter(ticket=b1).delete()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(  # Bob adds a file through his tracking page
            f"/track/{_token(b1)}/",
            {"body": "ci-joint", "attachment": SimpleUploadedFile("b.pdf", b"%PDF-1.4\n", "application/pdf")},
        )
    b_file = Attachment.objects.get(ticket=b1)
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    messages_before = Message.objects.filter(ticket=b1).count()
    assert client.get(f"/my/requests/{b1.reference}/").status_code == 404
    assert client.get(f"/my/requests/{b1.reference.lower()}/").status_code == 404
    assert client.post(f"/my/requests/{b1.reference}/", {"body": "je m'invite"}).status_code == 404
    assert client.post(f"/my/requests/{b1.reference}/close/").status_code == 404
    assert client.get(f"/my/requests/{b1.reference}/files/{b_file.pk}/").status_code == 404
    assert client.get(f"/my/requests/{a1.reference}/files/{b_file.pk}/").status_code == 404
    assert client.get("/my/requests/CPT-999999/").status_code == 404
    b1.refresh_from_db()
    assert b1.status != Ticket.Status.CLOSED
    assert Message.objects.filter(ticket=b1).count() == messages_before
    assert reply.body not in client.get("/my/").content.decode()


def _token(ticket: Ticket) -> str:
    from comptoir.tickets.tracking import make_token

    return make_token(ticket.tracking_uid)


def test_a_customer_opens_and_answers_their_request_through_intake(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox, agent
):
    a1 = two_customers[0]
    ticket_agent_message(ticket=a1, actor=agent, body="Pouvez-vous préciser le montant ?", internal=False)
    ticket_agent_message(ticket=a1, actor=agent, body="NOTE INTERNE", internal=True)
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    page = client.get(f"/my/requests/{a1.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pouvez-vous préciser le montant" in html.unescape(page)
    assert "NOTE INTERNE" not in page
    records = InboundRecord.objects.count()
    response = client.post(
        f"/my/requests/{a1.reference}/", {"body": "Le montant est 120 $.", "submission_id": "s1"}
    )
    assert response.status_code == 302 and response["Location"] == f"/my/requests/{a1.reference}/"
    client.post(f"/my/requests/{a1.reference}/", {"body": "Le montant est 120 $.", "submission_id": "s1"})
    assert Message.objects.filter(ticket=a1, kind="customer", body="Le montant est 120 $.").count() == 1
    assert InboundRecord.objects.count() == records + 1  # through intake, once


def test_a_customer_closes_their_request_and_the_agent_sees_who_did(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox, desk_client
):
    a1, a2, _b1 = two_customers
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    response = client.post(f"/my/requests/{a1.reference}/close/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert a1.status == Ticket.Status.CLOSED and not a1.is_open
    assert a2.status != Ticket.Status.CLOSED
    event = TicketEvent.objects.get(ticket=a1, field="status", new="closed")
    assert event.actor is None and event.actor_label == "Alice Martin"
    page = client.get(f"/my/requests/{a1.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="close-form"' not in page and 'data-testid="reply-form"' not in page
    desk = desk_client.get(f"/desk/tickets/{a1.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    history = re.findall(r'<span data-field="status">([^<]*)</span>', desk)
    assert any("Alice Martin" in html.unescape(entry) and "Closed" in entry for entry in history), history
    assert client.post(f"/my/requests/{a1.reference}/close/").status_code == 302  # twice: no change
    assert TicketEvent.objects.filter(ticket=a1, field="status", new="closed").count() == 1


def test_a_new_request_is_attached_to_the_signed_in_customer(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox
):
    a1, _a2, b1 = two_customers
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    form = client.get("/my/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Alice Martin" in form and ALICE in form  # their details, filled in
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/my/new/",
            {
                "subject": "Déménagement",
                "description": "Je déménage le 1er juillet.",
                "submission_id": "n1",
                # Typed identity fields are not part of the form: ignored, never re-identified.
                "email": BOB,
                "name": "Bob Roy",
                "customer_id": b1.customer_id,
            },
        )
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Déménagement")
    assert ticket.customer_id == a1.customer_id
    assert response["Location"] == f"/my/requests/{ticket.reference}/"
    assert mailoutbox[-1].to == [ALICE]  # the acknowledgment, to the customer's own address
    assert "/my/\n" in mailoutbox[-1].body  # the way to "My requests"


def test_the_list_is_paginated(
    client, make_ticket, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    monkeypatch.setattr(portal_my, "PAGE_SIZE", 2)
    tickets = [make_ticket(email=ALICE, subject=f"Demande {n}") for n in range(3)]
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    first = client.get("/my/").content.decode()
    assert tickets[2].reference in first and tickets[1].reference in first
    assert tickets[0].reference not in first
    cursor = re.search(r'href="\?cursor=([^"]+)"', first)
    assert cursor is not None
    second = client.get(f"/my/?cursor={cursor[1]}").content.decode()
    assert tickets[0].reference in second and tickets[2].reference not in second
    assert client.get("/my/?cursor=not-a-cursor").status_code == 404


def test_an_organisation_shares_its_requests_only_when_allowed(
    make_ticket, django_capture_on_commit_callbacks, mailoutbox
):
    a1 = make_ticket(email=ALICE, name="Alice Martin")
    c1 = make_ticket(email="carole@example.test", name="Carole Dubé")
    org = Organisation.objects.create(name="Hydro Nord")
    for t in (a1, c1):
        t.customer.organisation = org
        t.customer.save(update_fields=["organisation"])
    carole = Client()
    sign_in(carole, "carole@example.test", django_capture_on_commit_callbacks, mailoutbox)
    assert a1.reference not in carole.get("/my/").content.decode()  # off by default
    assert carole.get(f"/my/requests/{a1.reference}/").status_code == 404
    org.share_requests = True
    org.save(update_fields=["share_requests"])
    listing = carole.get("/my/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert a1.reference in listing and c1.reference in listing and "Alice Martin" in listing
    page = carole.get(f"/my/requests/{a1.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="shared-request"' in page and 'data-testid="reply-form"' not in page
    # Read only: a colleague neither answers nor closes it.
    assert carole.post(f"/my/requests/{a1.reference}/", {"body": "moi aussi"}).status_code == 404
    assert carole.post(f"/my/requests/{a1.reference}/close/").status_code == 404
    a1.refresh_from_db()
    assert a1.status != Ticket.Status.CLOSED
    # Another organisation's contact sees nothing of it.
    outsider = make_ticket(email="oscar@example.test", name="Oscar")
    outsider.customer.organisation = Organisation.objects.create(name="Autre", share_requests=True)
    outsider.customer.save(update_fields=["organisation"])
    oscar = Client()
    sign_in(oscar, "oscar@example.test", django_capture_on_commit_callbacks, mailoutbox)
    assert a1.reference not in oscar.get("/my/").content.decode()


def test_sign_in_requests_are_throttled_per_client(client, settings, django_capture_on_commit_callbacks):
    settings.COMPTOIR_PORTAL_RATE = "3/h"
    for _ in range(3):
        assert ask_link(client, "x@example.test", django_capture_on_commit_callbacks).status_code == 302
    refused = client.post("/my/signin/", {"email": "x@example.test"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 429
    assert '<html lang="fr">' in refused.content.decode()


def test_links_to_one_address_are_capped_whatever_the_client(
    two_customers, django_capture_on_commit_callbacks, mailoutbox
):
    answers = set()
    for n in range(6):
        response = ask_link(Client(REMOTE_ADDR=f"10.0.0.{n + 1}"), ALICE, django_capture_on_commit_callbacks)
        answers.add((response.status_code, response["Location"]))
    assert len(answers) == 1  # the same answer every time: the cap says nothing
    assert len([m for m in mailoutbox if m.to == [ALICE]]) == 3


def test_the_link_is_masked_in_the_outbox_supervisors_read(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox
):
    from comptoir.outbox.redact import mask_secrets

    ask_link(client, ALICE, django_capture_on_commit_callbacks)
    token = link_in(mailoutbox[-1])
    assert token not in mask_secrets(Delivery.objects.get(recipient=ALICE, kind="tracking_link").body)


def test_public_pages_and_error_pages_link_to_my_requests(client):
    assert 'href="/my/"' in client.get("/").content.decode()
    assert 'href="/my/"' in client.get("/chat/").content.decode()
    missing = client.get("/track/nope/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and 'data-testid="error-my-requests"' in missing.content.decode()
    my = client.get("/my/")
    assert my["Cache-Control"] == "no-store" and my["Referrer-Policy"] == "same-origin"


def test_the_list_costs_the_same_queries_for_few_or_many_requests(
    client, make_ticket, django_capture_on_commit_callbacks, mailoutbox
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_ticket(email=ALICE, subject="Une")
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/my/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(5):
        make_ticket(email=ALICE, subject=f"Demande {n}")
    assert queries() == few


def test_a_merged_request_leads_to_the_one_it_joined(
    client, two_customers, django_capture_on_commit_callbacks, mailoutbox, agent
):
    """The customer's merged request is no dead end: its page leads to the surviving request."""
    from comptoir.tickets.merge import ticket_merge

    a1, a2, _b1 = two_customers
    ticket_merge(actor=agent, source_id=a2.pk, target_id=a1.pk)
    sign_in(client, ALICE, django_capture_on_commit_callbacks, mailoutbox)
    response = client.get(f"/my/requests/{a2.reference}/")
    assert response.status_code == 302 and response["Location"] == f"/my/requests/{a1.reference}/"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert a1.reference in page and a1.subject in html.unescape(page)
