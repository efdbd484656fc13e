"""THREATS.md cases 27 (mass assignment), 28 and 30 (rate limits), 31 (secrets in errors)."""

from __future__ import annotations

import json
import re
import socket
import threading

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from comptoir.outbox.models import Delivery
from comptoir.routing.models import Team
from comptoir.tickets.models import Message, Ticket, TicketEvent
from comptoir.tickets.tracking import make_token

from .conftest import form_data

pytestmark = pytest.mark.django_db

NEW = {
    "subject": "Panne rue Sherbrooke",
    "body": "Plus d'électricité depuis ce matin.",
    "customer": {"name": "Hélène Gagnon", "email": "helene@example.test", "language": "fr"},
}


def _json(client: Client, method: str, path: str, body: dict):  # type: ignore[no-untyped-def]
    return client.generic(method, path, json.dumps(body), content_type="application/json")


# --- 27 mass assignment -------------------------------------------------------------------------

EXTRA_TOP = {
    "reference": "CPT-999999",
    "created_at": "2001-01-01T00:00:00Z",
    "customer_id": 1,
    "is_staff": True,
    "priority": "P1",
    "status": "closed",
    "team": "Support",
    "tracking_uid": "00000000-0000-0000-0000-000000000000",
    "version": 99,
}


@pytest.mark.attack("mass-assignment", "27")
@pytest.mark.parametrize(("field", "value"), list(EXTRA_TOP.items()))
def test_api_create_refuses_unknown_fields(field, value, api_client):  # type: ignore[no-untyped-def]
    response = _json(api_client, "POST", "/api/v1/tickets", {**NEW, field: value})
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    assert Ticket.objects.count() == 0


@pytest.mark.attack("mass-assignment", "27")
@pytest.mark.parametrize("field", ["id", "is_staff", "is_agent", "created_at", "customer_id"])
def test_api_create_refuses_unknown_customer_fields(field, api_client):  # type: ignore[no-untyped-def]
    body = {**NEW, "customer": {**NEW["customer"], field: 1}}
    response = _json(api_client, "POST", "/api/v1/tickets", body)
    assert response.status_code == 422
    assert Ticket.objects.count() == 0


@pytest.mark.attack("mass-assignment", "27")
@pytest.mark.parametrize(
    ("field", "value"),
    [("reference", "CPT-999999"), ("created_at", "2001-01-01T00:00:00Z"), ("customer_id", 1),
     ("is_staff", True), ("subject", "réécrit"), ("tracking_uid", "0" * 32), ("channel", "email")],
)  # fmt: skip
def test_api_patch_refuses_unknown_fields_and_applies_nothing(field, value, api_client, make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    before = Ticket.objects.values().get(pk=ticket.pk)
    response = _json(
        api_client, "PATCH", f"/api/v1/tickets/{ticket.reference}",
        {"version": ticket.version, "priority": "P1", field: value},
    )  # fmt: skip
    assert response.status_code == 422
    assert Ticket.objects.values().get(pk=ticket.pk) == before  # not even the legitimate field
    assert not TicketEvent.objects.exclude(field__in=["created", "triage", "category", "enrichment"]).exists()


@pytest.mark.attack("mass-assignment", "27")
@pytest.mark.parametrize(
    ("field", "value"), [("author", "x"), ("kind", "public"), ("created_at", "2001-01-01")]
)
def test_api_message_refuses_unknown_fields(field, value, api_client, make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    response = _json(
        api_client, "POST", f"/api/v1/tickets/{ticket.reference}/messages",
        {"body": "x", "visibility": "internal", field: value},
    )  # fmt: skip
    assert response.status_code == 422
    assert ticket.messages.count() == 1


@pytest.mark.attack("mass-assignment", "27")
def test_portal_extra_fields_are_ignored(client, agent):  # type: ignore[no-untyped-def]
    escalade = Team.objects.create(name="Escalade", level=2)
    extras = {
        "priority": "P1", "status": "closed", "team": escalade.pk, "team_id": escalade.pk,
        "assignee": agent.pk, "reference": "CPT-999999", "channel": "api", "language": "xx",
        "is_open": "false", "version": "99", "tracking_uid": "0" * 32, "internal": "on",
    }  # fmt: skip
    response = client.post("/", {**form_data(), **extras})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.priority, ticket.status, ticket.team_id, ticket.assignee_id) == ("P3", "new", None, None)
    assert ticket.reference != "CPT-999999" and ticket.channel == "web" and ticket.is_open
    # Only the system's analysis changed it after intake (the classifier's category), never the form.
    assert ticket.version != 99 and ticket.tracking_uid.hex != "0" * 32
    assert set(ticket.events.values_list("field", flat=True)) <= {
        "created",
        "triage",
        "category",
        "enrichment",
    }
    # The customer's reply cannot become an internal note or an agent's message either.
    token = make_token(ticket.tracking_uid)
    reply = client.post(
        f"/track/{token}/",
        {"body": "Suite", "internal": "on", "kind": "internal", "author": agent.pk, "status": "closed"},
    )
    assert reply.status_code == 302
    message = Message.objects.get(body="Suite")
    assert message.kind == "customer" and message.author_id is None
    ticket.refresh_from_db()
    assert ticket.status == "new"


# --- 28 portal rate limit -----------------------------------------------------------------------

TOO_MANY = "Too many requests from your address. Please wait a minute and try again."


def _too_many(lang: str) -> str:
    with translation.override(lang):
        text = gettext(TOO_MANY)
    if lang != "en":
        assert text != TOO_MANY, f"no {lang} translation of the rate-limit message"
    return escape(text)


@pytest.mark.attack("rate-limit", "28")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_portal_form_is_throttled_with_a_message(lang):  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE=lang)
    statuses = [client.post("/", form_data(subject=f"Demande {i}")).status_code for i in range(12)]
    assert statuses[:10] == [302] * 10 and statuses[10:] == [429, 429]
    response = client.post("/", form_data())
    assert response.status_code == 429
    assert _too_many(lang) in response.content.decode()
    assert Ticket.objects.count() == 10
    # Another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post("/", form_data()).status_code == 302


@pytest.mark.attack("rate-limit", "28")
def test_forged_forwarded_for_does_not_reset_the_counter(settings):  # type: ignore[no-untyped-def]
    settings.COMPTOIR_TRUSTED_PROXIES = []
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        client.post(
            "/", form_data(), HTTP_X_FORWARDED_FOR=f"10.0.{i}.1", HTTP_X_REAL_IP=f"10.1.{i}.1"
        ).status_code
        for i in range(13)
    ]
    assert statuses.count(429) == 3 and statuses[-1] == 429
    assert Ticket.objects.count() == 10


@pytest.mark.attack("rate-limit", "28")
def test_forwarded_for_believed_only_from_a_configured_proxy(settings):  # type: ignore[no-untyped-def]
    settings.COMPTOIR_TRUSTED_PROXIES = ["10.9.0.0/16"]
    proxy = Client(REMOTE_ADDR="10.9.0.5")
    # Behind the trusted proxy each real client has its own counter...
    for i in range(12):
        assert proxy.post("/", form_data(), HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code == 302
    # ...but a client cannot prepend a fake hop: the proxy-appended address is the one counted.
    statuses = [
        proxy.post("/", form_data(), HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.50").status_code
        for i in range(11)
    ]
    assert statuses[-1] == 429


@pytest.mark.attack("rate-limit", "28")
def test_tracking_replies_are_throttled(make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    client = Client(REMOTE_ADDR="203.0.113.8")
    url = f"/track/{make_token(ticket.tracking_uid)}/"
    statuses = [client.post(url, {"body": f"relance {i}"}).status_code for i in range(12)]
    assert statuses[:10] == [302] * 10 and statuses[10:] == [429, 429]
    assert ticket.messages.count() == 11
    assert _too_many("en") in client.post(url, {"body": "encore"}).content.decode()


# --- 30 login throttling ------------------------------------------------------------------------


def _alert(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(re.findall(r'role="alert"[^>]*>(.*?)</', response.content.decode(), re.S))


@pytest.mark.attack("rate-limit", "30")
def test_login_throttled_with_the_same_answer_for_known_and_unknown_users(agent):  # type: ignore[no-untyped-def]
    def attempts(username: str, ip: str) -> list:  # type: ignore[type-arg]
        client = Client(REMOTE_ADDR=ip)
        out = []
        for _ in range(12):
            r = client.post("/desk/login/", {"username": username, "password": "wrong-password"})
            out.append((r.status_code, _alert(r)))
        return out

    known = attempts(agent.email, "203.0.113.20")
    unknown = attempts("nobody@comptoir.test", "203.0.113.21")
    assert [s for s, _ in known] == [200] * 10 + [429, 429]
    assert known == unknown
    assert "Too many login attempts" in known[-1][1]
    # The limit holds even with the right password now.
    right = Client(REMOTE_ADDR="203.0.113.20").post(
        "/desk/login/", {"username": agent.email, "password": "agent-password-1"}
    )
    assert right.status_code == 429 and "_auth_user_id" not in right.client.session


@pytest.mark.attack("rate-limit", "30")
def test_per_account_limit_is_per_address_so_no_one_can_lock_an_agent_out(agent):  # type: ignore[no-untyped-def]
    # Issue 8 (docs/architecture.md): failures count per (address, account) and per address, never
    # per account alone, which anyone could trip to keep the agent out (tests/security/test_issue8_access.py).
    statuses = []
    for i in range(12):
        r = Client(REMOTE_ADDR=f"198.51.100.{i}").post(
            "/desk/login/", {"username": agent.email, "password": "wrong-password"}
        )
        statuses.append(r.status_code)
    assert statuses == [200] * 12
    one = [
        Client(REMOTE_ADDR="198.51.100.200").post("/desk/login/", {"username": agent.email, "password": "x"})
        for _ in range(11)
    ]
    assert one[-1].status_code == 429


@pytest.mark.attack("rate-limit", "30")
def test_per_account_limit_not_bypassed_by_spelling_variants(agent):  # type: ignore[no-untyped-def]
    email = agent.email
    variants = [email, email.upper(), email.title(), f" {email}", f"{email} ", email.capitalize()]
    variants += ["".join(c.upper() if (i >> k) & 1 else c for k, c in enumerate(email)) for i in range(1, 40)]
    variants = list(dict.fromkeys(variants))
    # Each variant logs into the same account: the throttle must count them as one.
    assert Client().login(username=email.upper(), password="agent-password-1")
    statuses = []
    for name in variants[:12]:
        r = Client(REMOTE_ADDR="192.0.2.1").post("/desk/login/", {"username": name, "password": "wrong"})
        statuses.append(r.status_code)
    assert statuses[10:] == [429, 429], statuses


# --- 31 secrets in errors -----------------------------------------------------------------------

PASSWORD = "S3cr3t-Pa55word-ZX81"


def _assert_no_secret(text: str) -> None:
    import base64

    for needle in (PASSWORD, base64.b64encode(PASSWORD.encode()).decode(),
                   base64.b64encode(f"\0mailer\0{PASSWORD}".encode()).decode()):  # fmt: skip
        assert needle not in text


def _smtp_settings(settings, port: int) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = "mailer"
    settings.EMAIL_HOST_PASSWORD = PASSWORD
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 3
    settings.EMAIL_URL = f"smtp://mailer:{PASSWORD}@127.0.0.1:{port}"


def _refusing_smtp_server() -> tuple[socket.socket, int]:
    """An SMTP server that offers AUTH and refuses every credential with 535."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)

    def serve() -> None:
        while True:
            try:
                conn, _addr = server.accept()
            except OSError:
                return
            with conn:
                f = conn.makefile("rwb")
                f.write(b"220 test ESMTP\r\n")
                f.flush()
                for line in f:
                    cmd = line.upper()
                    if cmd.startswith((b"EHLO", b"HELO")):
                        f.write(b"250-test\r\n250 AUTH PLAIN LOGIN\r\n")
                    elif cmd.startswith(b"AUTH"):
                        f.write(b"535 5.7.8 Authentication credentials invalid\r\n")
                    elif cmd.startswith(b"QUIT"):
                        f.write(b"221 bye\r\n")
                        f.flush()
                        break
                    else:
                        f.write(b"250 ok\r\n")
                    f.flush()

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


@pytest.mark.attack("secrets", "31")
@pytest.mark.parametrize("failure", ["closed-port", "auth-refused"])
def test_smtp_failure_never_shows_the_password(
    failure, settings, make_ticket, agent, desk_client, django_capture_on_commit_callbacks, caplog
):  # type: ignore[no-untyped-def]
    server = None
    if failure == "closed-port":
        _smtp_settings(settings, 1)
    else:
        server, port = _refusing_smtp_server()
        _smtp_settings(settings, port)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(email="client@example.test")
    finally:
        if server is not None:
            server.close()
    delivery = Delivery.objects.get(ticket=ticket)
    assert delivery.status in (Delivery.Status.PENDING, Delivery.Status.FAILED)
    assert delivery.attempts == 1 and delivery.last_error  # the reason is kept for staff
    if failure == "auth-refused":
        assert delivery.status == Delivery.Status.FAILED and "535" in delivery.last_error
    _assert_no_secret(delivery.last_error)
    agent.is_supervisor = True  # the outbox page is for supervisors (issue 8)
    agent.save(update_fields=["is_supervisor"])
    page = desk_client.get("/desk/outbox/").content.decode()
    assert escape(delivery.last_error) in page  # control: the page does show the reason
    _assert_no_secret(page)
    _assert_no_secret(caplog.text)
