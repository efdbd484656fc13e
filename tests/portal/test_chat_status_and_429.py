"""Issue 10, item 9: the chat says whether an agent is there and when a message could not be sent;
a throttled visitor gets a page in their language with a way on (429)."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from django.test import Client

from comptoir.tickets.models import Ticket
from comptoir.tickets.services import ticket_agent_message, ticket_update

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def started(client: Client, language: str = "en") -> tuple[Ticket, str]:
    response = client.post(
        "/chat/",
        {
            "name": "Inès Morin",
            "email": "ines@example.test",
            "message": "Bonjour",
            "submission_id": uuid.uuid4().hex,
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302
    token = re.fullmatch(r"/chat/([^/]+)/", response["Location"])[1]  # type: ignore[index]
    return Ticket.objects.latest("id"), token


def test_the_chat_says_whether_an_agent_is_there(agent):
    client = Client()
    ticket, token = started(client)
    waiting = client.get(f"/chat/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-agent-present="0"' in waiting
    assert "Waiting for an agent" in waiting and 'role="status"' in waiting
    ticket_update(
        ticket_id=ticket.pk, actor=agent, version=Ticket.objects.get(pk=ticket.pk).version, assignee=agent
    )
    ticket_agent_message(ticket_id=ticket.pk, actor=agent, body="Bonjour, je suis là.", internal=False)
    polled = client.get(f"/chat/{token}/", headers=HTMX).content.decode()  # what the page polls
    assert 'data-agent-present="1"' in polled
    page = client.get(f"/chat/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    status = re.search(r'<p id="chat-agent-status"[^>]*>([^<]*)</p>', page)
    assert status is not None and status[1] == "An agent is with you."


def test_an_internal_note_does_not_make_an_agent_present(agent):
    client = Client()
    ticket, token = started(client)
    ticket_update(
        ticket_id=ticket.pk, actor=agent, version=Ticket.objects.get(pk=ticket.pk).version, assignee=agent
    )
    ticket_agent_message(ticket_id=ticket.pk, actor=agent, body="note", internal=True)
    assert 'data-agent-present="0"' in client.get(f"/chat/{token}/", headers=HTMX).content.decode()


def test_the_chat_page_carries_its_send_error_messages_and_script():
    client = Client()
    _ticket, token = started(client)
    page = html.unescape(client.get(f"/chat/{token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert 'id="chat-send-error"' in page and 'role="alert"' in page
    assert "could not be sent: the connection was lost" in page
    assert "/static/comptoir/chat.js" in page
    script = client.get("/static/comptoir/chat.js")
    assert script.status_code == 200
    body = b"".join(script.streaming_content).decode()  # type: ignore[attr-defined]
    assert "htmx:sendError" in body and "htmx:responseError" in body


def test_a_throttled_chat_message_is_told_in_the_box_or_on_a_page(settings):
    settings.COMPTOIR_PORTAL_RATE = "2/h"
    client = Client()
    _ticket, token = started(client)  # one of the two
    assert client.post(f"/chat/{token}/", {"message": "m1"}, headers=HTMX).status_code == 200
    refused = client.post(f"/chat/{token}/", {"message": "m2"}, headers=HTMX, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/plain")  # shown as it is in the live region
    assert "Too many requests" in refused.content.decode()
    # Without htmx, a page in the visitor's language, with a way on.
    page = client.post(f"/chat/{token}/", {"message": "m3"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 429
    body = page.content.decode()
    assert '<html lang="fr">' in body and "comptoir/comptoir.css" in body
    assert 'data-testid="error-next"' in body and 'data-testid="error-my-requests"' in body
    assert 'data-testid="too-many-help"' in body


@pytest.mark.parametrize("language", ["en", "fr"])
def test_too_many_sign_in_link_attempts_get_the_429_page(settings, language):
    settings.COMPTOIR_PORTAL_RATE = "2/h"
    client = Client()
    codes = [
        client.post(f"/my/continue/{'A' * 43}/", HTTP_ACCEPT_LANGUAGE=language).status_code for _ in range(3)
    ]
    assert codes == [404, 404, 429]
    body = client.post(f"/my/continue/{'A' * 43}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}">' in body and 'data-testid="too-many-help"' in body
    if language == "en":
        assert "Too many requests" in body


def test_the_request_form_throttle_keeps_the_form_in_the_visitors_language(settings):
    settings.COMPTOIR_PORTAL_RATE = "1/h"
    client = Client()
    data = {"name": "A", "email": "a@example.test", "subject": "s", "description": "d"}
    client.post("/", data)
    refused = client.post("/", {**data, "description": "gardé"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 429
    body = refused.content.decode()
    assert '<html lang="fr">' in body and "gardé" in body  # what they typed is still there
