"""Calls logged by agents: find or create the customer, write what was asked, send the link."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.customers.models import Customer, Identity
from comptoir.customers.services import CustomerData, customer_create
from comptoir.outbox.models import CapturedSms, Delivery
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.tracking import tracking_url

pytestmark = pytest.mark.django_db

CALL_URL = "/desk/calls/new/"


@pytest.fixture
def caller(db) -> Customer:
    return customer_create(
        data=CustomerData(
            name="Jean-François Gagnon",
            email="jf.gagnon@example.test",
            phone="514-555-0199",
            account="ACC-778899",
            language="fr",
        )
    )


@pytest.fixture
def stranger(db) -> Customer:
    return customer_create(
        data=CustomerData(name="Zoé Lapointe", email="zoe@example.test", phone="+15145550123")
    )


def log_call(desk_client: Client, capture, **data: str):
    """Submit the call form; after-commit sends run."""
    data.setdefault("summary", "Le client demande pourquoi sa facture a doublé.")
    with capture(execute=True):
        return desk_client.post(CALL_URL, data)


# --- finding the customer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        pytest.param("(514) 555-0199", id="phone-national"),
        pytest.param("+1 514-555-0199", id="phone-international"),
        pytest.param("Gagnon", id="name"),
        pytest.param("jean-françois", id="name-lowercase"),
        pytest.param("JF.Gagnon@example.test", id="email"),
        pytest.param("ACC-778899", id="account"),
    ],
)
def test_call_page_finds_the_customer(desk_client, caller, stranger, q):
    response = desk_client.get(CALL_URL, {"q": q})
    assert response.status_code == 200
    assert [c.pk for c in response.context["found"]] == [caller.pk]
    html = response.content.decode()
    assert f"?customer={caller.pk}" in html and f"?customer={stranger.pk}" not in html


def test_call_page_says_when_nobody_matches(desk_client, caller):
    response = desk_client.get(CALL_URL, {"q": "(438) 555-0100"})
    assert response.status_code == 200
    assert response.context["found"] == []


def test_call_page_shows_the_chosen_customer(desk_client, caller):
    response = desk_client.get(CALL_URL, {"customer": caller.pk})
    assert response.status_code == 200
    assert response.context["chosen"] == caller
    assert "Jean-François Gagnon" in response.content.decode()


def test_call_page_needs_an_agent(caller):
    response = Client().get(CALL_URL, {"q": "Gagnon"})
    assert response.status_code == 302 and "/desk/login/" in response["Location"]


# --- logging the call --------------------------------------------------------------------------


def test_call_on_an_existing_ticket_becomes_a_customer_message_logged_by_the_agent(
    desk_client, agent, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket(email="appelant@example.test")
    response = log_call(
        desk_client, django_capture_on_commit_callbacks,
        customer=str(ticket.customer_id), ticket=ticket.reference,
        summary="Rappel du client : il a trouvé sa facture de janvier.",
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == f"/desk/tickets/{ticket.reference}/"
    assert Ticket.objects.count() == 1
    message = ticket.messages.order_by("id").last()
    assert message.channel == "phone"
    assert message.kind == Message.Kind.CUSTOMER
    assert "facture de janvier" in message.body
    assert message.author_id == agent.pk, "the call does not say which agent logged it"


def test_call_on_another_customers_ticket_is_refused(
    desk_client, caller, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket(email="autre@example.test")
    response = log_call(
        desk_client, django_capture_on_commit_callbacks, customer=str(caller.pk), ticket=ticket.reference
    )
    assert response.status_code == 400
    assert ticket.messages.count() == 1


def test_call_as_a_new_request_raises_a_phone_ticket_and_acknowledges_by_email(
    desk_client, agent, caller, mailoutbox, django_capture_on_commit_callbacks
):
    response = log_call(
        desk_client, django_capture_on_commit_callbacks,
        customer=str(caller.pk), subject="Facture doublée",
        summary="Le client demande pourquoi sa facture a doublé.",
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/desk/tickets/{ticket.reference}/"
    assert ticket.channel == "phone" and ticket.customer_id == caller.pk
    assert ticket.subject == "Facture doublée"
    message = ticket.messages.get()
    assert message.channel == "phone" and message.kind == Message.Kind.CUSTOMER
    assert message.author_id == agent.pk
    assert ticket.events.filter(field="created").get().actor_id == agent.pk
    # The customer has nothing more to do: the acknowledgment is in their mailbox.
    acks = [m for m in mailoutbox if ticket.reference in m.subject]
    assert [m.to for m in acks] == [["jf.gagnon@example.test"]]
    assert tracking_url(ticket.tracking_uid) in acks[0].body
    assert "a doublé" not in acks[0].body


def test_call_from_a_new_customer_creates_the_customer(
    desk_client, mailoutbox, django_capture_on_commit_callbacks
):
    response = log_call(
        desk_client, django_capture_on_commit_callbacks,
        name="Amélie Côté", email="amelie@example.test", phone="(438) 555-0142", account="ACC-1",
        subject="Déménagement", summary="Elle déménage le 1er juillet et veut transférer son compte.",
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    customer = Customer.objects.get(name="Amélie Côté")
    values = set(customer.identities.values_list("kind", "value"))
    assert values == {("email", "amelie@example.test"), ("phone", "+14385550142"), ("account", "ACC-1")}
    ticket = Ticket.objects.get(customer=customer)
    assert ticket.channel == "phone"
    assert [m.to for m in mailoutbox] == [["amelie@example.test"]]


def test_new_customer_with_a_known_phone_is_refused_not_merged(
    desk_client, caller, django_capture_on_commit_callbacks
):
    response = log_call(
        desk_client, django_capture_on_commit_callbacks, name="Imposteur", phone="514 555 0199"
    )
    assert response.status_code == 400
    assert "+15145550199" in response.content.decode()
    assert Customer.objects.count() == 1 and Ticket.objects.count() == 0


def test_call_without_customer_or_details_is_refused(desk_client, django_capture_on_commit_callbacks):
    response = log_call(desk_client, django_capture_on_commit_callbacks, name="Sans coordonnées")
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


# --- sending the tracking link -----------------------------------------------------------------


def test_send_link_by_email(desk_client, caller, mailoutbox, django_capture_on_commit_callbacks):
    response = log_call(
        desk_client,
        django_capture_on_commit_callbacks,
        customer=str(caller.pk),
        subject="Lien",
        send_link="email",
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    link = Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.TRACKING_LINK)
    assert link.channel == "email" and link.recipient == "jf.gagnon@example.test"
    sent = [m for m in mailoutbox if tracking_url(ticket.tracking_uid) in m.body]
    assert len(sent) == 2  # the acknowledgment and the link the agent sent
    assert {tuple(m.to) for m in sent} == {("jf.gagnon@example.test",)}


def test_send_link_by_sms_needs_consent(desk_client, caller, mailoutbox, django_capture_on_commit_callbacks):
    response = log_call(
        desk_client,
        django_capture_on_commit_callbacks,
        customer=str(caller.pk),
        subject="Lien",
        send_link="sms",
    )
    assert response.status_code == 302
    assert not Delivery.objects.filter(kind=Delivery.Kind.TRACKING_LINK).exists()
    assert CapturedSms.objects.count() == 0
    assert all(m.to != ["+15145550199"] for m in mailoutbox)


def test_send_link_by_sms_with_consent(desk_client, caller, mailoutbox, django_capture_on_commit_callbacks):
    response = desk_client.post(f"/desk/customers/{caller.pk}/consent/", {"channel": "sms", "granted": "on"})
    assert response.status_code == 302
    response = log_call(
        desk_client,
        django_capture_on_commit_callbacks,
        customer=str(caller.pk),
        subject="Lien",
        send_link="sms",
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    link = Delivery.objects.get(ticket=ticket, kind=Delivery.Kind.TRACKING_LINK)
    assert link.channel == "sms" and link.recipient == "+15145550199"
    texts = list(CapturedSms.objects.filter(recipient="+15145550199"))
    assert len(texts) == 1, "the link was not texted through the SMS backend"
    assert ticket.reference in texts[0].body and tracking_url(ticket.tracking_uid) in texts[0].body
    assert all(m.to != ["+15145550199"] for m in mailoutbox)


# --- the API -----------------------------------------------------------------------------------


def test_api_logs_a_call_on_a_ticket(
    api_client, agent, make_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = make_ticket(email="api.appel@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/tickets/{ticket.reference}/calls",
            {"summary": "Appel : le client confirme son adresse.", "send_link": "email"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel"] == "phone" and data["kind"] == "customer"
    assert data["body"] == "Appel : le client confirme son adresse."
    message = Message.objects.get(pk=data["id"])
    assert message.ticket_id == ticket.pk and message.channel == "phone"
    assert data["author"] == agent.email, "the call does not say which agent logged it"
    assert (
        Delivery.objects.filter(ticket=ticket, kind=Delivery.Kind.TRACKING_LINK, channel="email").count() == 1
    )


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"summary": ""}, id="empty"),
        pytest.param({"summary": "x", "send_link": "fax"}, id="bad-link"),
        pytest.param({"summary": "x", "customer_id": 1}, id="extra-field"),
    ],
)
def test_api_call_validates_its_input(api_client, make_ticket, payload):
    ticket = make_ticket()
    response = api_client.post(
        f"/api/v1/tickets/{ticket.reference}/calls", payload, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert ticket.messages.count() == 1


def test_api_call_on_unknown_ticket_or_without_token(api_client, make_ticket):
    response = api_client.post(
        "/api/v1/tickets/T-NOPE/calls", {"summary": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    ticket = make_ticket()
    response = Client().post(
        f"/api/v1/tickets/{ticket.reference}/calls", {"summary": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert ticket.messages.count() == 1
    assert not Identity.objects.filter(kind="phone").exists()
