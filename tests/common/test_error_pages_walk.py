"""Error pages after the issue 10 walk: a language switch like every page's, a 405 page instead of
the browser's own, and a signed-in customer's 404 that speaks of My requests."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from comptoir.tickets.models import Ticket
from tests.factories import AgentFactory
from tests.portal.test_my_requests import sign_in

pytestmark = pytest.mark.django_db

NOT_ALLOWED = "This page cannot be opened directly"
SIGNED_IN_404 = (
    "This page or request does not exist, or it is not one of yours. "
    "All your requests are listed in My requests."
)


def text_in(language: str, msgid: str) -> str:
    with translation.override(language):
        return html.escape(gettext(msgid))


def switch_next(body: str) -> str:
    """The ``next`` of the page's language form (the one posting to set_language)."""
    form = re.search(r'<form class="lang" action="/i18n/setlang/" method="post".*?</form>', body, re.S)
    assert form is not None, "no language switch"
    assert 'data-testid="lang-fr"' in form.group(0) and 'data-testid="lang-en"' in form.group(0)
    return html.unescape(re.search(r'name="next" type="hidden" value="([^"]*)"', form.group(0)).group(1))


@pytest.mark.parametrize("desk", [False, True])
def test_a_404_has_the_language_switch_back_to_the_same_path(desk: bool) -> None:
    client = Client()
    if desk:
        client.force_login(AgentFactory())
    path = "/desk/tickets/NO-SUCH-1/" if desk else "/no-such-page/"
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert switch_next(response.content.decode()) == path
    # Using it: the same page, now in French.
    switched = client.post("/i18n/setlang/", {"language": "fr", "next": path})
    assert switched.status_code == 302 and switched["Location"] == path
    again = client.get(path)
    assert again.status_code == 404 and '<html lang="fr">' in again.content.decode()


def test_the_error_page_switch_never_leads_to_another_site() -> None:
    client = Client()
    for path in ("//evil.example/x/", "/\\evil.example/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        target = switch_next(response.content.decode())
        answer = client.post("/i18n/setlang/", {"language": "fr", "next": target})
        assert answer.status_code == 302
        location = answer["Location"]  # a path of this site, never another host
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location
        assert urlsplit(location).netloc == ""


def test_a_broken_tracking_link_still_reads_the_same_without_a_form() -> None:
    client = Client()
    one = client.get("/track/" + "A" * 54 + "/")
    two = client.get("/track/" + "B" * 54 + "/")
    assert one.status_code == two.status_code == 404
    assert one.content == two.content
    assert "/i18n/setlang/" not in one.content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_get_on_a_post_only_desk_url_renders_a_405_page_with_a_way_back(language: str) -> None:
    client = Client()
    client.force_login(AgentFactory())
    for path in ("/desk/notifications/read/", "/desk/bulk/1/undo/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 405, path
        assert "POST" in response["Allow"]
        body = response.content.decode()
        assert f'<html lang="{language}">' in body
        assert "comptoir/comptoir.css" in body
        assert text_in(language, NOT_ALLOWED) in body
        assert 'href="/desk/" data-testid="error-next"' in body
        assert switch_next(body) == path
        assert "Content-Security-Policy" in response.headers


def test_get_on_a_customers_post_only_url_renders_the_405_page(
    client, make_ticket, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    ticket = make_ticket(email="alice@example.test")
    sign_in(client, "alice@example.test", django_capture_on_commit_callbacks, mailoutbox)
    response = client.get(f"/my/requests/{ticket.reference}/close/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    body = response.content.decode()
    assert NOT_ALLOWED in body and 'href="/my/" data-testid="error-next"' in body
    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.CLOSED  # nothing was done
    signout = Client().get("/my/signout/", HTTP_ACCEPT_LANGUAGE="fr")
    assert signout.status_code == 405 and text_in("fr", NOT_ALLOWED) in signout.content.decode()
    assert 'href="/" data-testid="error-next"' in signout.content.decode()


def test_the_api_keeps_its_json_405() -> None:
    client = Client()
    response = client.put("/api/v1/tickets")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_signed_in_customers_404_leads_back_to_my_requests(
    client, make_ticket, django_capture_on_commit_callbacks, mailoutbox, language: str
) -> None:
    mine = make_ticket(email="alice@example.test")
    other = make_ticket(email="bob@example.test")
    sign_in(client, "alice@example.test", django_capture_on_commit_callbacks, mailoutbox)
    assert client.get(f"/my/requests/{mine.reference}/").status_code == 200
    for path in (f"/my/requests/{other.reference}/", "/my/requests/CPT-NOPE/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 404
        body = response.content.decode()
        assert text_in(language, SIGNED_IN_404) in body
        assert "tracking link" not in body and text_in(language, "Back to My requests") in body
        assert 'href="/my/" data-testid="error-next"' in body
    # Not signed in: the tracking-link advice, as before.
    anonymous = Client().get("/my/requests/CPT-NOPE/", HTTP_ACCEPT_LANGUAGE="en")
    assert anonymous.status_code in (302, 404)
    assert "tracking link" in Client().get("/nope/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
