"""The desk's inbound page (issue 8, items 6, 8 and 14): labelled counts, failures with who sent
what and why, records left waiting, replay; any record id in the form answers 404, never 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.channels.email.ingest import email_receive
from comptoir.intake.models import InboundRecord
from comptoir.intake.selectors import RECEIVED_STALE_AFTER
from comptoir.intake.services import record_store
from tests.email.fixtures import crlf, plain

pytestmark = pytest.mark.django_db

POISON = crlf(
    "From: =?utf-8?b?RXZlClg=?= <eve@example.com>\n"
    "To: support@comptoir.localhost\n"
    "Subject: =?utf-8?q?Facture_impay=C3=A9e?=\n"
    "Message-ID: <poison-desk@example.com>\n"
    "\n"
    "Bonjour.\n"
)


@pytest.fixture
def desk_client(agent):  # type: ignore[no-untyped-def]
    """The page is for supervisors (issue 10: raw mail of any customer): its tests use one."""
    from django.test import Client

    agent.is_supervisor = True
    agent.save(update_fields=["is_supervisor"])
    client = Client()
    client.force_login(agent)
    return client


def page(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/desk/inbound/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def stranded(raw: bytes, *, age: timedelta) -> InboundRecord:
    """A record stored and then left ``received`` (the process died before processing it)."""
    record, _ = record_store(channel="email", key=f"email:test-{age}", payload={"size": len(raw)}, raw=raw)
    InboundRecord.objects.filter(pk=record.pk).update(received_at=timezone.now() - age)
    return record


@pytest.mark.fault("issue8-6")
def test_page_shows_labelled_counts_and_the_failure_with_sender_subject_reason(desk_client):
    email_receive(raw=plain(subject="Sain"), source="test")
    poison = email_receive(raw=POISON, source="smtp").record
    html = page(desk_client)
    assert "processed: " not in html and "failed: " not in html  # raw status names, before
    assert "<dt>Processed</dt>" in html and "<dt>Failed</dt>" in html
    assert '<dd data-status="processed">1</dd>' in html and '<dd data-status="failed">1</dd>' in html
    row = html.split(f'data-record="{poison.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Eve X &lt;eve@example.com&gt;" in row and "Facture impayée" in row
    assert "invalid From header" in row and 'name="record"' in row and "Replay" in row


@pytest.mark.fault("issue8-6")
def test_replay_from_the_page_keeps_a_poison_failed_with_its_reason(desk_client):
    poison = email_receive(raw=POISON, source="smtp").record
    response = desk_client.post("/desk/inbound/", {"record": poison.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    poison.refresh_from_db()
    assert poison.status == InboundRecord.Status.FAILED and "From" in poison.error
    assert "Still failing" in page(desk_client)


@pytest.mark.fault("issue8-6")
def test_records_left_received_are_listed_as_waiting_after_the_threshold_and_processable(desk_client):
    old = stranded(plain(subject="Oublié"), age=RECEIVED_STALE_AFTER + timedelta(minutes=1))
    fresh = stranded(plain(subject="En cours"), age=timedelta(seconds=5))
    html = page(desk_client)
    waiting = html.split('data-testid="inbound-waiting"', 1)[1]
    assert f'data-record="{old.pk}"' in waiting and f'data-record="{fresh.pk}"' not in waiting
    assert "Waiting to be processed" in html
    desk_client.post("/desk/inbound/", {"record": old.pk})
    old.refresh_from_db()
    assert old.status == InboundRecord.Status.PROCESSED and old.ticket.subject == "Oublié"


@pytest.mark.fault("issue8-8")
@pytest.mark.parametrize(
    "value", ["999999", "99999999999999999999", "-1", "0", "abc", "", "²", "1" * 5000, "9223372036854775808"]
)
def test_unknown_or_out_of_range_record_is_404_not_500(desk_client, value):
    email_receive(raw=POISON, source="smtp")
    response = desk_client.post("/desk/inbound/", {"record": value})
    assert response.status_code == 404


def test_a_record_of_another_channel_cannot_be_replayed_as_an_email(desk_client):
    record, _ = record_store(channel="sms", key="sms:SM1", payload={"subject": "x"})
    assert desk_client.post("/desk/inbound/", {"record": record.pk}).status_code == 404
