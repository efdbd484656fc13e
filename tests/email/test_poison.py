"""A poison email (issue 8, item 6): stored, accepted, kept as failed with its reason, listed, replayable.

The poison is the one found from outside: a ``From:`` display name whose encoded word decodes to a
line break. The standard library's header parser raises ValueError on it, which used to escape
the pipeline: SMTP answered 451 forever, the webhook 500, the record stayed ``received`` where no
list showed it, and replay crashed. Also here: records left ``received`` by a crash between store
and processing, which the worker's sweep picks up.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from comptoir.channels.email import ingest
from comptoir.console.workers import sweep_once
from comptoir.intake.models import InboundRecord
from comptoir.intake.selectors import RECEIVED_STALE_AFTER
from comptoir.tickets.models import Message, Ticket

from .fixtures import SUPPORT, crlf, plain

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "inbound-test-secret-0123456789"
POISON = crlf(
    "From: =?utf-8?b?RXZlClg=?= <eve@example.com>\n"
    f"To: {SUPPORT}\n"
    "Subject: =?utf-8?q?Facture_impay=C3=A9e?=\n"
    "Date: Mon, 02 Mar 2026 10:00:00 +0100\n"
    "Message-ID: <poison-1@example.com>\n"
    "\n"
    "Bonjour, ma facture est fausse.\n"
)


def smtp_send(controller: Controller, raw: bytes) -> dict:
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as client:
        return client.sendmail("eve@example.com", [SUPPORT], raw)


def assert_kept_failed(record: InboundRecord, raw: bytes) -> None:
    record.refresh_from_db()
    assert record.status == InboundRecord.Status.FAILED, (record.status, record.error)
    assert "From" in record.error and "\n" not in record.error
    assert bytes(record.raw).endswith(raw.split(b"\r\n\r\n", 1)[1])
    assert record.payload["sender"] == "Eve X <eve@example.com>"
    assert record.payload["subject"] == "Facture impayée"


@pytest.mark.fault("issue8-6")
def test_poison_over_smtp_is_answered_250_and_kept_failed(smtpd):
    assert smtp_send(smtpd, POISON) == {}  # 451 before: smtplib raised SMTPDataError
    assert_kept_failed(InboundRecord.objects.get(), POISON)
    assert not Ticket.objects.exists()
    # The sender's retry is the same record, still accepted.
    assert smtp_send(smtpd, POISON) == {}
    assert InboundRecord.objects.count() == 1


@pytest.mark.fault("issue8-6")
def test_poison_over_the_webhook_is_2xx_and_reported_failed(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    response = Client().post(
        "/api/v1/inbound/email", data=POISON, content_type="message/rfc822",
        headers={"X-Comptoir-Secret": SECRET},
    )  # fmt: skip
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "failed" and body["ticket"] is None and "From" in body["error"]
    assert_kept_failed(InboundRecord.objects.get(pk=body["record"]), POISON)


@pytest.mark.fault("issue8-6")
def test_poison_over_imap_is_flagged_seen_once_stored(dovecot):
    dovecot.append(POISON, plain(subject="Sain"))
    call_command("fetchmail", url=dovecot.url, once=True)
    assert all(b"\\Seen" in flags for flags in dovecot.flags().values())
    assert_kept_failed(InboundRecord.objects.get(status=InboundRecord.Status.FAILED), POISON)
    assert Ticket.objects.get().subject == "Sain"


@pytest.mark.fault("issue8-6")
def test_poison_is_listed_by_the_cli_and_replay_keeps_it_failed(capsys):
    record = ingest.email_receive(raw=POISON, source="smtp").record
    call_command("inbound", "failed")
    listed = capsys.readouterr().out
    line = next(line for line in listed.splitlines() if line.startswith(f"{record.pk}\t"))
    assert "eve@example.com" in line and "Facture impayée" in line and "From" in line
    call_command("inbound", "replay", str(record.pk))  # crashed before
    assert capsys.readouterr().out.startswith(f"{record.pk}\tfailed: invalid From header")
    assert_kept_failed(record, POISON)
    call_command("inbound", "replay", "--all-failed")
    assert_kept_failed(record, POISON)
    with pytest.raises(CommandError):
        call_command("inbound", "replay", "99999999999999999999")


@pytest.mark.fault("issue8-6")
def test_crash_after_store_still_answers_250_and_the_sweep_processes_it_later(smtpd, monkeypatch):
    """Processing dies after the bytes are committed: the sender is done, the sweep finishes."""
    real = ingest.email_process

    def crash(*, record):  # type: ignore[no-untyped-def]
        raise RuntimeError("worker killed")

    monkeypatch.setattr(ingest, "email_process", crash)
    raw = plain(subject="Interrompu")
    assert smtp_send(smtpd, raw) == {}
    monkeypatch.setattr(ingest, "email_process", real)
    record = InboundRecord.objects.get()
    assert record.status == InboundRecord.Status.RECEIVED

    sweep_once()  # too young: the normal path may still be working on it
    record.refresh_from_db()
    assert record.status == InboundRecord.Status.RECEIVED

    InboundRecord.objects.filter(pk=record.pk).update(received_at=timezone.now() - RECEIVED_STALE_AFTER)
    sweep_once()
    record.refresh_from_db()
    assert record.status == InboundRecord.Status.PROCESSED
    assert Ticket.objects.get().subject == "Interrompu" and Message.objects.count() == 1
    sweep_once()  # nothing twice
    assert Message.objects.count() == 1


@pytest.mark.fault("issue8-6")
def test_sweep_turns_a_stranded_poison_into_a_listed_failure(capsys):
    """A poison stranded ``received`` before this fix is swept into a failure, not retried forever."""
    from comptoir.intake.services import record_store

    record, _ = record_store(channel="email", key="email:stranded", payload={"size": 1}, raw=POISON)
    InboundRecord.objects.filter(pk=record.pk).update(
        received_at=timezone.now() - RECEIVED_STALE_AFTER - timedelta(minutes=1)
    )
    call_command("inbound", "failed")
    assert "waiting" in capsys.readouterr().out  # listed as waiting until swept
    sweep_once()
    record.refresh_from_db()
    assert record.status == InboundRecord.Status.FAILED and "From" in record.error


@pytest.mark.fault("issue9-2")
def test_a_record_processed_by_another_run_meanwhile_stays_processed_and_makes_one_message():
    """Two pollers fetch one message: the second holds the record as it was stored (received)
    while the first processes it. The second's work must roll back and the record stay processed
    (it was once marked a duplicate of itself, found by CI under load)."""
    import copy

    from comptoir.intake.services import record_store

    raw = plain(subject="Deux relèves", body="Le même courriel, relevé deux fois.")
    first = ingest.email_receive(raw=raw, source="imap")
    assert first.record.status == InboundRecord.Status.PROCESSED
    stale = copy.copy(first.record)
    stale.status = InboundRecord.Status.RECEIVED  # what the second poller read before the first finished
    again = ingest.email_process(record=stale)
    assert again.result is not None and again.result.duplicate
    record = InboundRecord.objects.get(pk=first.record.pk)
    assert record.status == InboundRecord.Status.PROCESSED
    assert Message.objects.count() == 1 and Ticket.objects.count() == 1
    assert record_store(channel="email", key=record.dedupe_key, payload={})[1] is False
