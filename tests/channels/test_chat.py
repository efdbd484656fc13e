"""The portal chat box: opens a ticket (or continues this browser's), polls it, posts in place."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from comptoir.portal.views import CHAT_COOKIE
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.services import ticket_agent_message
from comptoir.tickets.tracking import make_token

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def start(
    client: Client, *, email: str = "chat@example.test", message: str = "Bonjour, une question", **extra
):
    data = {
        "name": "Inès Morin",
        "email": email,
        "phone": "",
        "message": message,
        "submission_id": uuid.uuid4().hex,
        **extra,
    }
    return client.post("/chat/", data)


def started(client: Client, **kw) -> tuple[Ticket, str]:
    response = start(client, **kw)
    assert response.status_code == 302, response.content[:500]
    match = re.fullmatch(r"/chat/([0-9a-f]{32}[A-Za-z0-9_-]{22})/", response["Location"])
    assert match, response["Location"]
    ticket = Ticket.objects.filter(customer__identities__value=kw.get("email", "chat@example.test")).latest(
        "id"
    )
    return ticket, match.group(1)


def test_chat_page_shows_the_start_form():
    response = Client().get("/chat/")
    assert response.status_code == 200
    assert 'data-testid="chat-start"' in response.content.decode()


def test_start_opens_a_chat_ticket_and_redirects_to_the_room():
    client = Client()
    ticket, token = started(client, message="Mon compteur clignote, est-ce normal ?")
    assert ticket.channel == "chat"
    assert token == make_token(ticket.tracking_uid)
    message = ticket.messages.get()
    assert message.channel == "chat" and message.kind == Message.Kind.CUSTOMER
    response = client.get(f"/chat/{token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "Mon compteur clignote" in html
    assert ticket.reference in html
    assert 'hx-trigger="every 1s"' in html


def test_second_start_in_the_same_browser_continues_its_open_chat_ticket():
    browser = Client()
    first, token = started(browser, message="Première question")
    cookie = browser.cookies[CHAT_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    second, token2 = started(browser, message="Je reviens sur ma question")
    assert second.pk == first.pk and token2 == token
    assert Ticket.objects.count() == 1
    assert list(first.messages.order_by("id").values_list("body", flat=True)) == [
        "Première question",
        "Je reviens sur ma question",
    ]


def test_the_start_page_offers_this_browsers_open_chat_only():
    browser = Client()
    ticket, token = started(browser)
    page = browser.get("/chat/").content.decode()
    assert 'data-testid="chat-continue"' in page and f"/chat/{token}/" in page
    assert f"/chat/{token}/" not in Client().get("/chat/").content.decode()


@pytest.mark.attack("access", "issue8-1")
def test_typing_someone_elses_email_never_opens_their_chat(desk_client):
    victim, victim_token = started(Client(), message="Mon solde est de 1234 $, numéro de compte 998877")
    stranger = Client()
    response = start(stranger, message="Rappelez-moi mon numéro de compte")
    assert response.status_code == 302
    assert victim_token not in response["Location"]
    room = stranger.get(response["Location"]).content.decode()
    assert "998877" not in room and victim.reference not in room
    # The stranger's words never join the victim's conversation...
    assert list(victim.messages.values_list("body", flat=True)) == [
        "Mon solde est de 1234 $, numéro de compte 998877"
    ]
    # ...they open a new conversation, which the agent sees linked to the customer's open one.
    new = Ticket.objects.exclude(pk=victim.pk).get()
    assert new.customer_id == victim.customer_id and new.linked_to_id == victim.pk
    desk = desk_client.get(f"/desk/tickets/{new.reference}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/desk/tickets/{victim.reference}/" in desk


@pytest.mark.attack("access", "issue8-1")
@pytest.mark.parametrize("forged", ["unsigned", "other-chat"])
def test_a_forged_or_foreign_chat_cookie_proves_nothing(forged):
    victim, _token = started(Client(), message="Question de la victime")
    stranger = Client()
    if forged == "unsigned":
        stranger.cookies[CHAT_COOKIE] = str(victim.tracking_uid)
    else:  # the stranger's own chat cookie, then the victim's address typed
        started(stranger, email="stranger@example.test", message="Ma propre question")
    start(stranger, message="Je continue ?")
    assert list(victim.messages.values_list("body", flat=True)) == ["Question de la victime"]
    new = Ticket.objects.filter(messages__body="Je continue ?").get()
    assert new.pk != victim.pk


def test_start_by_another_email_opens_another_ticket():
    first, _t = started(Client())
    other, _t2 = started(Client(), email="autre.chat@example.test")
    assert other.pk != first.pk


def test_start_needs_an_email_or_a_phone():
    response = start(Client(), email="")
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_htmx_poll_returns_only_the_conversation():
    _ticket, token = started(Client(), message="Question pour le sondage")
    response = Client().get(f"/chat/{token}/", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="conversation"')
    assert "Question pour le sondage" in html
    assert "<html" not in html and "<form" not in html and "chat-room" not in html


def test_htmx_post_appends_a_customer_message_and_returns_the_room():
    ticket, token = started(Client())
    response = Client().post(
        f"/chat/{token}/", {"message": "Voici mon numéro de compte : 4455"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="chat-room"')
    assert 'data-testid="chat-form"' in html and "Voici mon numéro de compte" in html
    assert "<html" not in html
    last = ticket.messages.order_by("id").last()
    assert last.kind == Message.Kind.CUSTOMER and last.channel == "chat"
    assert last.body == "Voici mon numéro de compte : 4455"


def test_plain_post_redirects_back_to_the_room():
    ticket, token = started(Client())
    response = Client().post(f"/chat/{token}/", {"message": "Sans JavaScript"})
    assert response.status_code == 302 and response["Location"] == f"/chat/{token}/"
    assert ticket.messages.count() == 2


def test_empty_message_adds_nothing():
    ticket, token = started(Client())
    response = Client().post(f"/chat/{token}/", {"message": "   "}, headers=HTMX)
    assert response.status_code in (200, 400)
    assert ticket.messages.count() == 1


def test_agent_reply_appears_and_internal_notes_never_do(agent):
    ticket, token = started(Client())
    ticket_agent_message(ticket=ticket, actor=agent, body="NOTE-INTERNE-SECRETE", internal=True)
    ticket_agent_message(ticket=ticket, actor=agent, body="Bonjour Inès, je regarde.", internal=False)
    for headers in ({}, HTMX):
        html = Client().get(f"/chat/{token}/", headers=headers).content.decode()
        assert "Bonjour Inès, je regarde." in html
        assert "NOTE-INTERNE-SECRETE" not in html
    html = Client().post(f"/chat/{token}/", {"message": "Merci"}, headers=HTMX).content.decode()
    assert "NOTE-INTERNE-SECRETE" not in html and "Bonjour Inès, je regarde." in html


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("nope", id="garbage"),
        pytest.param(uuid.uuid4().hex + "A" * 22, id="bad-mac"),
        pytest.param(None, id="unknown-ticket"),
    ],
)
def test_bad_token_is_404(token):
    started(Client())
    token = token or make_token(uuid.uuid4())
    client = Client()
    assert client.get(f"/chat/{token}/").status_code == 404
    assert client.get(f"/chat/{token}/", headers=HTMX).status_code == 404
    assert client.post(f"/chat/{token}/", {"message": "intrus"}, headers=HTMX).status_code == 404
    assert not Message.objects.filter(body="intrus").exists()


@pytest.mark.attack("rate-limit", "28")
def test_chat_start_is_rate_limited(settings):
    settings.COMPTOIR_PORTAL_RATE = "3/h"  # an hour: no window boundary inside the test
    client = Client()
    codes = [start(client, email=f"flood{i}@example.test").status_code for i in range(5)]
    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]
    assert Ticket.objects.count() == 3


@pytest.mark.attack("rate-limit", "28")
def test_chat_messages_are_rate_limited(settings):
    settings.COMPTOIR_PORTAL_RATE = "3/h"  # an hour: no window boundary inside the test
    ticket, token = started(Client())  # one of the three
    client = Client()
    codes = [client.post(f"/chat/{token}/", {"message": f"m{i}"}, headers=HTMX).status_code for i in range(4)]
    assert codes == [200, 200, 429, 429]
    assert ticket.messages.count() == 3
