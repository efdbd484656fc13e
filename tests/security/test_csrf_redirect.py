"""THREATS.md cases 22 (CSRF / CORS) and 23 (open redirect)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.tracking import make_token

from .conftest import form_data, stays_on_site

pytestmark = pytest.mark.django_db


def _csrf_client(user=None) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def _with_token(client: Client, page: str) -> str:
    """Load a page the way a browser does and return the form's CSRF token."""
    response = client.get(page)
    assert response.status_code == 200
    return response.context["csrf_token"]


@pytest.mark.attack("csrf", "22")
def test_portal_posts_without_token_are_403(make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    track = f"/track/{make_token(ticket.tracking_uid)}/"
    client = _csrf_client()
    assert client.post("/", form_data()).status_code == 403
    assert client.post(track, {"body": "forgé"}).status_code == 403
    # A token from another session (cookie absent or different) is no better.
    other = Client(enforce_csrf_checks=True)
    stolen = _with_token(other, "/")
    assert client.post("/", {**form_data(), "csrfmiddlewaretoken": stolen}).status_code == 403
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    # Control: the same post with the page's own token goes through.
    token = _with_token(client, "/")
    assert client.post("/", {**form_data(), "csrfmiddlewaretoken": token}).status_code == 302
    assert Ticket.objects.count() == 2


@pytest.mark.attack("csrf", "22")
def test_desk_posts_without_token_are_403(agent, make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = _csrf_client(agent)
    ref = ticket.reference
    posts = [
        (f"/desk/tickets/{ref}/messages/", {"body": "forgé"}),
        (f"/desk/tickets/{ref}/messages/", {"body": "forgé", "internal": "on"}),
        (f"/desk/tickets/{ref}/change/", {"version": ticket.version, "status": "closed", "priority": "P1"}),
        ("/desk/logout/", {}),
        ("/i18n/setlang/", {"language": "fr", "next": "/desk/"}),
        ("/desk/login/", {"username": agent.email, "password": "agent-password-1"}),
    ]
    for path, data in posts:
        response = client.post(path, data, headers={"Origin": "https://evil.test"})
        assert response.status_code == 403, path
        response = client.post(path, data, HTTP_X_CSRFTOKEN="forged-token-value")
        assert response.status_code == 403, path
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.priority == "P3" and ticket.messages.count() == 1
    assert client.get("/desk/").status_code == 200  # still logged in: logout was refused
    # Control: with the page's token the reply is accepted.
    token = _with_token(client, f"/desk/tickets/{ref}/")
    ok = client.post(f"/desk/tickets/{ref}/messages/", {"body": "vrai", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


@pytest.mark.attack("csrf", "22")
def test_api_ignores_session_cookies(agent, make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = _csrf_client(agent)  # a logged-in agent's browser, lured by another site
    headers = {"Origin": "https://evil.test"}
    assert client.get("/api/v1/tickets", headers=headers).status_code == 401
    assert client.get(f"/api/v1/tickets/{ticket.reference}", headers=headers).status_code == 401
    created = client.post(
        "/api/v1/tickets",
        json.dumps({"subject": "x", "body": "y", "customer": {"email": "x@example.test"}}),
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 401
    patched = client.patch(
        f"/api/v1/tickets/{ticket.reference}",
        json.dumps({"version": ticket.version, "status": "closed"}),
        content_type="application/json",
        headers=headers,
    )
    assert patched.status_code == 401
    ticket.refresh_from_db()
    assert ticket.status == "new" and Ticket.objects.count() == 1


@pytest.mark.attack("csrf", "22")
def test_no_cors_grant_for_foreign_origins(api_client):  # type: ignore[no-untyped-def]
    response = api_client.get("/api/v1/tickets", headers={"Origin": "https://evil.test"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    preflight = api_client.options(
        "/api/v1/tickets",
        headers={"Origin": "https://evil.test", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in preflight


@pytest.mark.attack("csrf", "22")
def test_session_cookie_flags_and_rotation(client, agent):  # type: ignore[no-untyped-def]
    client.get("/desk/login/")
    before = client.cookies.get("sessionid")
    response = client.post("/desk/login/", {"username": agent.email, "password": "agent-password-1"})
    assert response.status_code == 302
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert before is None or before.value != cookie.value
    client.post("/desk/logout/")
    assert client.get("/desk/").status_code == 302


EVIL_NEXT = [
    "//evil.test",
    "//evil.test/desk/",
    "/\\evil.test",
    "\\\\evil.test",
    "https:evil.test",
    "https://evil.test",
    "%2F%2Fevil.test",
    "/%2F/evil.test",
    "/\t/evil.test",
    "///evil.test",
    "javascript:alert(1)",
    "http://testserver@evil.test",
]


@pytest.mark.attack("redirect", "23")
@pytest.mark.parametrize("target", EVIL_NEXT)
def test_login_next_stays_on_site(target, client, agent):  # type: ignore[no-untyped-def]
    page = client.get("/desk/login/", {"next": target})
    assert page.status_code == 200
    response = client.post(
        "/desk/login/?next=" + target.replace("%", "%25"),
        {"username": agent.email, "password": "agent-password-1", "next": target},
    )
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    # Already logged in: the login page redirects at once, still on site.
    again = client.get("/desk/login/", {"next": target})
    assert again.status_code == 302 and stays_on_site(again["Location"]), again["Location"]


@pytest.mark.attack("redirect", "23")
@pytest.mark.parametrize("target", EVIL_NEXT)
def test_setlang_and_logout_next_stay_on_site(target, client, agent):  # type: ignore[no-untyped-def]
    for method in ("post", "get"):
        response = getattr(client, method)(
            "/i18n/setlang/", {"language": "fr", "next": target}, headers={"Referer": target}
        )
        assert response.status_code in (302, 204)
        if response.status_code == 302:
            assert stays_on_site(response["Location"], "http://testserver/"), response["Location"]
    client.force_login(agent)
    out = client.post("/desk/logout/", {"next": target})
    assert out.status_code == 302 and stays_on_site(out["Location"]), out["Location"]
