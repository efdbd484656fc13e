"""THREATS.md XSS cases 1, 3, 4 and 5 on the issue-2 surfaces: form, API, desk, portal, emails."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.tickets.files import IncomingFile
from comptoir.tickets.models import Attachment, Ticket
from comptoir.tickets.tracking import make_token

from .conftest import PAYLOADS, PDF, assert_escaped, form_data, token_from

pytestmark = pytest.mark.django_db


def _create(channel: str, payload: str, client: Client, api_client: Client) -> tuple[Ticket, str]:
    """Subject, body and customer name all carry the payload; returns the ticket and its token."""
    if channel == "form":
        response = client.post(
            "/", form_data(name=payload, subject=payload, description=f"Début {payload} fin")
        )
        assert response.status_code == 302, response.content
        token = token_from(response)
    else:
        response = api_client.post(
            "/api/v1/tickets",
            json.dumps(
                {
                    "subject": payload,
                    "body": f"Début {payload} fin",
                    "customer": {"name": payload, "email": "elodie@example.test", "language": "fr"},
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        token = response.json()["tracking_url"].rstrip("/").rsplit("/", 1)[-1]
    ticket = Ticket.objects.get()
    assert ticket.subject == payload  # stored as typed: escaping is the renderer's job
    return ticket, token


@pytest.mark.attack("xss", "1")
@pytest.mark.parametrize("channel", ["form", "api"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_escaped_in_every_page(
    channel, payload, client, api_client, desk_client, django_capture_on_commit_callbacks, mailoutbox
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        ticket, token = _create(channel, payload, client, api_client)

    submitted = client.get(f"/submitted/{token}/").content.decode()
    assert payload not in submitted
    track = client.get(f"/track/{token}/").content.decode()
    assert_escaped(track, payload)
    assert_escaped(track, f"Début {payload} fin")

    queue = desk_client.get("/desk/?scope=all").content.decode()
    assert_escaped(queue, payload)  # subject and customer name columns
    assert queue.count(str(escape_once(payload))) >= 2

    with django_capture_on_commit_callbacks(execute=True):
        reply = desk_client.post(
            f"/desk/tickets/{ticket.reference}/messages/", {"body": f"Réponse {payload}"}
        )
        assert reply.status_code == 302
        note = desk_client.post(
            f"/desk/tickets/{ticket.reference}/messages/",
            {"body": f"Note {payload}", "internal": "on"},
        )
        assert note.status_code == 302
    page = desk_client.get(f"/desk/tickets/{ticket.reference}/").content.decode()
    for text in (payload, f"Début {payload} fin", f"Réponse {payload}", f"Note {payload}"):
        assert_escaped(page, text)
    history = page[page.index('data-testid="history"') :]
    assert_escaped(history, payload)  # actor label is the customer's name

    # Emails are plain text only, the acknowledgment never repeats the customer's words, and no
    # header can be broken by the subject.
    assert len(mailoutbox) == 2, [m.subject for m in mailoutbox]
    ack, answer = mailoutbox
    for mail in mailoutbox:
        assert mail.content_subtype == "plain"
        assert not getattr(mail, "alternatives", [])
        assert "\n" not in mail.subject and "\r" not in mail.subject
        raw = mail.message().as_bytes()
        assert b"text/html" not in raw
    assert payload not in ack.body and payload not in ack.subject
    assert f"Réponse {payload}" in answer.body
    assert f"Note {payload}" not in answer.body

    # JSON: the exact text comes back as JSON data, never as a document a browser would render.
    detail = api_client.get(f"/api/v1/tickets/{ticket.reference}")
    assert detail["Content-Type"].startswith("application/json")
    assert detail["X-Content-Type-Options"] == "nosniff"
    data = detail.json()
    assert data["subject"] == payload and data["customer"]["name"] == payload
    listing = api_client.get("/api/v1/tickets")
    assert listing["Content-Type"].startswith("application/json")
    assert listing.json()["items"][0]["subject"] == payload


def escape_once(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


@pytest.mark.attack("xss", "1")
def test_payload_in_rejected_form_is_escaped(client):  # type: ignore[no-untyped-def]
    for payload in PAYLOADS:
        # Missing email and phone: the form comes back with the typed values.
        response = client.post("/", form_data(email="", name=payload, subject=payload))
        assert response.status_code == 400
        html = response.content.decode()
        assert payload not in html
        assert Ticket.objects.count() == 0


BAD_NAMES = [
    '"><svg onload=alert(1)>.pdf',
    "<img src=x onerror=alert(1)>.pdf",
    "facture\u202efdp.pdf",
    "\u202ettxt.pdf",
    ("a" * 300) + ".pdf",
]


@pytest.mark.attack("xss", "3")
@pytest.mark.parametrize("name", BAD_NAMES)
def test_hostile_attachment_name_stored_sanitised(name, make_ticket, client, desk_client):  # type: ignore[no-untyped-def]
    ticket = make_ticket(attachments=(IncomingFile(name=name, content=PDF),))
    att = Attachment.objects.get(ticket=ticket)
    # Stored under a generated key: nothing of the customer's name reaches the filesystem.
    stored = att.file.name
    assert stored.startswith(f"{ticket.pk}/") and len(stored.split("/")[-1]) == 32
    assert not set(att.filename) & set('<>"\u202e\u202d\u200b\x00/\\')
    assert len(att.filename) <= 120 and att.filename.endswith(".pdf")
    for page in (
        client.get(f"/track/{make_token(ticket.tracking_uid)}/").content.decode(),
        desk_client.get(f"/desk/tickets/{ticket.reference}/").content.decode(),
    ):
        assert name not in page
        assert "<svg" not in page and "<img src=x" not in page
        assert att.filename in page or escape_once(att.filename) in page
    download = desk_client.get(f"/desk/files/{att.pk}/")
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "<" not in disposition and "\u202e" not in disposition


@pytest.mark.attack("xss", "3")
def test_hostile_name_through_form_upload(client):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile('"><svg onload=alert(1)>.pdf', PDF, content_type="text/html")
    response = client.post("/", {**form_data(), "attachment": upload})
    assert response.status_code == 302, response.content
    att = Attachment.objects.get()
    assert not set(att.filename) & set('<>"')
    assert att.content_type == "application/pdf"  # from content, never the declared type
    page = client.get(f"/track/{token_from(response)}/").content.decode()
    assert "<svg" not in page


ACTIVE = [
    ("page.html", b"<html><body><script>alert(1)</script></body></html>"),
    ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
    ("app.js", b"alert(document.cookie)"),
    ("page.htm", b"hello"),
    ("image.svgz", PDF),
    ("notes.txt", b"<!doctype html><script>alert(1)</script>"),
    ("facture.pdf", b"<html><script>alert(1)</script></html>"),
    ("photo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
]


@pytest.mark.attack("xss", "4")
@pytest.mark.parametrize(("name", "content"), ACTIVE)
def test_active_content_uploads_refused(name, content, client, make_ticket):  # type: ignore[no-untyped-def]
    response = client.post(
        "/", {**form_data(), "attachment": SimpleUploadedFile(name, content, content_type="application/pdf")}
    )
    assert response.status_code == 422, response.status_code
    assert "not an accepted type" in response.content.decode()
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0
    # Same rule on a customer's reply from the tracking page.
    ticket = make_ticket()
    reply = client.post(
        f"/track/{make_token(ticket.tracking_uid)}/",
        {"body": "Voici le fichier", "attachment": SimpleUploadedFile(name, content)},
    )
    assert reply.status_code == 422
    assert Attachment.objects.count() == 0 and ticket.messages.count() == 1


@pytest.mark.attack("xss", "4")
@pytest.mark.parametrize(
    ("name", "content", "ctype"),
    [("facture.pdf", PDF, "application/pdf"), ("notes.txt", b"juste du texte", "text/plain")],
)
def test_downloads_are_attachments_with_nosniff(name, content, ctype, make_ticket, client, desk_client):  # type: ignore[no-untyped-def]
    ticket = make_ticket(attachments=(IncomingFile(name=name, content=content, declared_type="text/html"),))
    att = Attachment.objects.get(ticket=ticket)
    assert att.content_type == ctype
    for response in (
        client.get(f"/track/{make_token(ticket.tracking_uid)}/files/{att.pk}/"),
        desk_client.get(f"/desk/files/{att.pk}/"),
    ):
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"].split(";")[0] == ctype
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == content


def _b64(value) -> str:  # type: ignore[no-untyped-def]
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


GARBAGE_CURSORS = [
    "garbage",
    "%%%",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    _b64(["P1", "not-a-date", 1]),
    _b64(["P1", "2026-01-01T00:00:00", "x"]),
    _b64([1, 2]),
    _b64("string"),
    _b64({"a": 1}),
]


@pytest.mark.attack("xss", "5")
@pytest.mark.parametrize("cursor", GARBAGE_CURSORS)
def test_desk_queue_garbage_cursor_is_4xx_or_ignored(cursor, agent, make_ticket):  # type: ignore[no-untyped-def]
    make_ticket()
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    response = client.get("/desk/", {"cursor": cursor, "scope": "all"})
    assert response.status_code < 500, response.status_code
    assert response.status_code in (200, 400, 404, 422)
    assert cursor not in response.content.decode() or cursor.isalnum()


API_CURSORS = [
    "garbage",
    "%%%",
    "<script>alert(1)</script>",
    _b64(["x"]),
    _b64([None]),
    _b64([[1]]),
    _b64([{"a": 1}]),
    _b64([10**30]),
    _b64(["1 OR 1=1"]),
    _b64([1, 2]),
]


@pytest.mark.attack("xss", "5")
@pytest.mark.parametrize("cursor", API_CURSORS)
def test_api_garbage_cursor_is_4xx_json(cursor, agent, make_ticket):  # type: ignore[no-untyped-def]
    make_ticket()
    client = Client(
        headers={"Authorization": f"Bearer {api_token_create(user=agent)}"}, raise_request_exception=False
    )
    response = client.get("/api/v1/tickets", {"cursor": cursor})
    assert response.status_code in (200, 400, 422), response.status_code
    assert response["Content-Type"].startswith("application/json")
    if response.status_code != 200:  # refused with a reason, or read literally (no rows after it)
        assert response.json()["detail"]


@pytest.mark.attack("xss", "5")
@pytest.mark.parametrize(
    "scope", ['"><script>alert(1)</script>', "all<svg onload=alert(1)>", "' onmouseover='x"]
)
def test_desk_scope_garbage_not_reflected(scope, agent, team, make_ticket):  # type: ignore[no-untyped-def]
    for _ in range(51):  # enough for a "more" link, which carries the scope
        make_ticket()
    Ticket.objects.update(team=team)
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    response = client.get("/desk/", {"scope": scope})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="more"' in html  # the reflection point exists
    assert scope not in html
    assert "<script>alert" not in html and "<svg" not in html


@pytest.mark.attack("xss", "5")
@pytest.mark.parametrize(
    "path",
    [
        "/desk/tickets/<script>alert(1)</script>/",
        '/desk/tickets/"><svg onload=alert(1)>/',
        "/track/<img src=x onerror=alert(1)>/",
        "/nope/<script>alert(1)</script>",
    ],
)
def test_404_paths_not_reflected(path, desk_client):  # type: ignore[no-untyped-def]
    response = desk_client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<script>alert" not in html and "<svg" not in html and "<img src=x" not in html
