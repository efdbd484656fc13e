"""Error pages a person can use (issue 8, items 1 to 3), through the test client with DEBUG off.

A mistyped or cut tracking link, a desk page for supervisors, an unknown ticket, a server error:
each answers a styled page in the visitor's language with a way on (the request form and the chat
for customers, the desk queue for agents), while the API keeps answering JSON. Also the favicon
(item 2) and htmx's configuration that keeps its inline styles out under the CSP (item 3).
"""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext

from comptoir.urls import urlpatterns as project_patterns
from tests.factories import AgentFactory

TRACKING_HINT = (
    "This page does not exist. If you followed a tracking link, it may be incomplete: "
    "check that you opened the whole link from the email."
)
SUPERVISORS_ONLY = (
    "This page or action is for supervisors or administrators. Ask a supervisor if you need it."
)
BACK_TO_DESK = "Back to the desk queue"


def text_in(language: str, msgid: str) -> str:
    """``msgid`` as a page in ``language`` shows it (escaped as templates escape it)."""
    with translation.override(language):
        return html.escape(gettext(msgid))


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def unreadable(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("unreadable request")


# Used by the tests marked ``urls(__name__)``: the project's routes plus two failing views.
urlpatterns = [
    path("boom/", boom),
    path("desk/boom/", boom),
    path("chat/unreadable/", unreadable),
    *project_patterns,
]


@pytest.mark.fault("issue8-1")
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("url", ["/track/0123456789abcdef/", "/chat/abc/"])
def test_broken_customer_link_gets_a_page_in_their_language_with_a_way_on(url: str, language: str) -> None:
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert "comptoir/comptoir.css" in body  # the site's layout, not Django's bare page
    assert "The requested resource was not found" not in body
    assert text_in(language, TRACKING_HINT) in body
    assert 'href="/" data-testid="error-next"' in body  # the request form
    assert 'href="/chat/" data-testid="error-chat"' in body
    assert text_in(language, "Chat with us") in body
    if language == "fr":
        assert "Clavarder avec nous" in body  # a string French already has: the page is French


@pytest.mark.fault("issue8-1")
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("url", ["/desk/outbox/", "/desk/categories/"])
def test_level_one_agent_on_a_supervisor_page_is_told_why_and_led_back(url: str, language: str) -> None:
    client = Client()
    client.force_login(AgentFactory())  # level 1, no supervisor role
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert "comptoir/comptoir.css" in body
    assert "<h1>403 Forbidden</h1>" not in body
    assert text_in(language, SUPERVISORS_ONLY) in body
    assert 'href="/desk/" data-testid="error-next"' in body
    assert text_in(language, BACK_TO_DESK) in body
    assert 'data-testid="error-chat"' not in body  # no customer links in the desk


@pytest.mark.fault("issue8-1")
@pytest.mark.django_db
def test_unknown_desk_ticket_leads_back_to_the_queue() -> None:
    client = Client()
    client.force_login(AgentFactory())
    response = client.get("/desk/tickets/NO-SUCH-1/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'href="/desk/" data-testid="error-next"' in body
    assert TRACKING_HINT not in body


@pytest.mark.fault("issue8-1")
@pytest.mark.django_db
def test_api_errors_stay_json() -> None:
    response = Client().get("/api/v1/no-such-endpoint", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.fault("issue8-1")
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_server_error_page_is_styled_and_in_the_visitors_language() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "comptoir/comptoir.css" in body
    assert "Server error" in body and 'href="/" data-testid="error-next"' in body
    french = client.get("/desk/boom/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in french
    assert text_in("fr", "Server error") in french


@pytest.mark.fault("issue8-1")
def test_server_error_page_renders_without_request_nor_database() -> None:
    """As Django renders it when things are at their worst: no request, no context, and no
    database (without the django_db mark, pytest-django makes any query raise)."""
    with translation.override("fr"):
        body = loader.get_template("500.html").render()
    assert '<html lang="fr">' in body


@pytest.mark.fault("issue8-1")
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_bad_request_page_is_styled_with_a_way_on() -> None:
    response = Client(raise_request_exception=False).get("/chat/unreadable/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert "comptoir/comptoir.css" in body
    assert "Bad request" in body
    assert 'href="/" data-testid="error-next"' in body


@pytest.mark.fault("issue8-2")
@pytest.mark.django_db
def test_favicon_is_served() -> None:
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    page = client.get("/").content.decode()
    assert f'<link rel="icon" href="{response["Location"]}"' in page


@pytest.mark.fault("issue8-3")
@pytest.mark.django_db
@pytest.mark.parametrize("desk", [False, True])
def test_pages_turn_off_htmx_inline_indicator_styles(desk: bool) -> None:
    client = Client()
    if desk:
        client.force_login(AgentFactory())
    body = client.get("/desk/" if desk else "/chat/").content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in body
    assert "style-src 'self'" in client.get("/").headers["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("en", "Form expired"), ("fr", "Formulaire expiré")])
def test_a_form_refused_by_csrf_is_explained_in_the_visitors_language(language: str, words: str) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(
        "/", {"name": "Élodie", "email": "e@example.test", "subject": "x", "description": "y"}
    )
    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert f'lang="{language}"' in page and words in page
    assert 'data-testid="csrf-help"' in page and 'data-testid="error-next"' in page
    assert "CSRF" not in page  # the technical reason stays in the log


@pytest.mark.django_db
def test_uptime_monitors_may_ask_head_of_the_public_pages() -> None:
    client = Client()
    assert client.head("/").status_code == 200
    assert client.head("/chat/").status_code == 200
