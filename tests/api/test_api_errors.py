"""Issue 8, item 8: out-of-range ids and unreadable requests are client errors, in JSON, everywhere.

Before: ``GET /api/v1/tickets?customer=99999999999999999999`` overflowed the database driver (500),
a broken multipart body to the SMS webhook answered Django's HTML page and logged a traceback, and
an unknown route or method under /api/v1/ answered HTML.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
from django.test import Client

from comptoir.channels.sms import twilio_signature
from comptoir.tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.fault("issue8-8")]

TOO_BIG = "99999999999999999999"  # past 2**64: no database integer holds it
SMS_URL = "http://testserver/api/v1/inbound/sms"


def assert_json_error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"], body
    return body


@pytest.mark.parametrize("value", [TOO_BIG, str(2**63), "0", "-1", "-" + TOO_BIG, "1e3", "abc"])
def test_out_of_range_customer_filter_is_422(api_client, make_ticket, value):
    make_ticket()
    body = assert_json_error(api_client.get(f"/api/v1/tickets?customer={value}"), 422)
    assert body["errors"][0]["loc"][-1] == "customer"


def test_largest_id_is_a_plain_404_or_empty_list(api_client, make_ticket):
    make_ticket()
    largest = str(2**63 - 1)
    response = api_client.get(f"/api/v1/tickets?customer={largest}")
    assert response.status_code == 200 and response.json()["items"] == []
    assert_json_error(api_client.get(f"/api/v1/customers/{largest}"), 404)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/customers/{TOO_BIG}",
        f"/api/v1/customers/{TOO_BIG}/timeline",
        "/api/v1/customers/0",
        "/api/v1/customers/-5/timeline",
    ],
)
def test_out_of_range_ids_in_paths_are_422(api_client, path):
    assert_json_error(api_client.get(path), 422)


def test_out_of_range_message_id_is_422(api_client, make_ticket):
    ticket = make_ticket()
    response = api_client.post(f"/api/v1/tickets/{ticket.reference}/messages/{TOO_BIG}/approve")
    assert_json_error(response, 422)


def test_unknown_route_under_the_api_is_json_404(api_client):
    body = assert_json_error(api_client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert body["detail"] == "No such API endpoint."
    assert_json_error(Client().get("/api/v2/tickets"), 404)


def test_unsupported_method_is_json_405_with_allow(api_client):
    response = api_client.delete("/api/v1/tickets")
    assert_json_error(response, 405)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("subject=x&body=y", "application/x-www-form-urlencoded"),
        ("plain words", "text/plain"),
        (b"\xff\xfe\x00garbage", "application/json"),
    ],
)
def test_unreadable_json_body_is_json_400(api_client, body, content_type):
    response = api_client.post("/api/v1/tickets", body, content_type=content_type)
    assert_json_error(response, 400)
    assert not Ticket.objects.exists()


def test_body_over_the_upload_limit_is_json_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"subject": "x", "body": "y" * 2048, "customer": {"email": "a@example.test"}})
    response = api_client.post("/api/v1/tickets", body, content_type="application/json")
    assert_json_error(response, 413)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--XX\r\n"),  # no boundary
        ('multipart/form-data; boundary=""', b"--\r\n"),  # empty boundary
        (  # a part that claims base64 and is not
            "multipart/form-data; boundary=XX",
            b'--XX\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n!!!\r\n--XX--\r\n",
        ),
    ],
)
def test_broken_multipart_to_the_sms_webhook_is_json_400_without_traceback(
    settings, caplog, content_type, body
):
    settings.COMPTOIR_SMS_AUTH_TOKEN = "twilio-test-token"
    with caplog.at_level(logging.WARNING):
        response = Client().post("/api/v1/inbound/sms", body, content_type=content_type)
    assert_json_error(response, 400)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_too_many_form_fields_to_the_sms_webhook_is_json_400(settings):
    settings.COMPTOIR_SMS_AUTH_TOKEN = "twilio-test-token"
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    form = "&".join(f"f{i}=x" for i in range(50))
    response = Client().post("/api/v1/inbound/sms", form, content_type="application/x-www-form-urlencoded")
    assert_json_error(response, 400)


def test_signed_sms_with_odd_media_count_is_not_a_server_error(settings):
    """``NumMedia`` is signed by the gateway, yet "²" passed ``isdigit`` and then broke ``int``."""
    settings.COMPTOIR_SMS_AUTH_TOKEN = token = "twilio-test-token"
    params = {"From": "+15145550199", "Body": "Panne", "MessageSid": "SM" + "1" * 32, "NumMedia": "²"}
    response = Client().post(
        "/api/v1/inbound/sms",
        params,
        headers={"X-Twilio-Signature": twilio_signature(SMS_URL, params, token)},
    )
    assert response.status_code == 200, response.content


def test_a_server_error_under_the_api_is_json(api_client, monkeypatch, caplog):
    """A bug (here: a selector that raises) still answers the API's error shape, and is logged."""

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("comptoir.tickets.selectors.ticket_list", broken)
    token = api_client.defaults.get("HTTP_AUTHORIZATION") or api_client.headers["Authorization"]
    client = Client(raise_request_exception=False, headers={"Authorization": token})
    response = client.get("/api/v1/tickets")
    assert_json_error(response, 500)
    assert "simulated bug" not in response.content.decode()
    assert any(r.exc_info and "simulated bug" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize("value", [10**20, -(10**20), 2**63])
def test_forged_page_cursor_with_an_out_of_range_id_is_422(api_client, make_ticket, value):
    """A cursor is client input: the id inside it is bounded like any other."""
    make_ticket()
    cursor = base64.urlsafe_b64encode(json.dumps([value]).encode()).decode().rstrip("=")
    body = assert_json_error(api_client.get(f"/api/v1/tickets?cursor={cursor}"), 422)
    assert body["field"] == "cursor"


def test_nul_characters_are_refused_with_422(api_client, make_ticket):
    """PostgreSQL cannot store NUL: it used to reach the database there and fail (500)."""
    ticket = make_ticket()
    assert_json_error(api_client.get("/api/v1/tickets?assignee=%00"), 422)
    assert_json_error(api_client.get("/api/v1/tickets?team=a%00b"), 422)
    assert_json_error(api_client.get("/api/v1/tickets/CPT-%00/history"), 422)
    body = {"body": "Bonjour\x00", "visibility": "internal"}
    response = api_client.post(
        f"/api/v1/tickets/{ticket.reference}/messages", json.dumps(body), content_type="application/json"
    )
    assert_json_error(response, 422)
    new = {"subject": "x", "body": "y", "customer": {"name": "A\x00", "email": "a@example.test"}}
    response = api_client.post("/api/v1/tickets", json.dumps(new), content_type="application/json")
    assert_json_error(response, 422)


def test_signed_sms_with_nul_characters_is_stored_without_them(settings):
    settings.COMPTOIR_SMS_AUTH_TOKEN = token = "twilio-test-token"
    params = {"From": "+15145550199", "Body": "Pan\x00ne", "MessageSid": "SM\x00" + "2" * 32}
    response = Client().post(
        "/api/v1/inbound/sms",
        params,
        headers={"X-Twilio-Signature": twilio_signature(SMS_URL, params, token)},
    )
    assert response.status_code == 200, response.content
    ticket = Ticket.objects.get(reference=response.json()["ticket"])
    assert ticket.messages.get().body == "Panne"
