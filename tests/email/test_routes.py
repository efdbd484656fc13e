"""The three inbound routes against real servers: SMTP receiver, provider webhook, IMAP (Dovecot)."""

from __future__ import annotations

import os
import smtplib
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from comptoir.channels.email.imap import ImapConfig, _connect, fetch_once, run
from comptoir.channels.email.ingest import email_receive
from comptoir.intake.models import InboundRecord
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.tracking import reply_address
from tests.support import free_port

from . import fixtures
from .fixtures import FRENCH, SUPPORT, plain

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "inbound-test-secret-0123456789"


def wait_for(predicate, timeout: float = 15.0, step: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# --- SMTP receiver -------------------------------------------------------------------------------


def smtp_send(
    controller: Controller, raw: bytes, *, to: list[str] | None = None, sender: str = "a@b.example"
):
    with smtplib.SMTP(controller.hostname, controller.port, timeout=30) as client:
        return client.sendmail(sender, to or [SUPPORT], raw)


def test_mail_sent_with_smtplib_becomes_a_ticket(smtpd):
    raw = fixtures.charset_iso8859_15()
    assert smtp_send(smtpd, raw) == {}
    ticket = Ticket.objects.get()
    assert ticket.subject == FRENCH and ticket.channel == "email"
    assert ticket.messages.get().body == FRENCH
    record = InboundRecord.objects.get()
    assert record.source == "smtp" and record.status == InboundRecord.Status.PROCESSED
    assert bytes(record.raw).endswith(raw.split(b"\r\n\r\n", 1)[1])


def test_smtp_accepts_every_recipient_by_default(smtpd, settings):
    settings.COMPTOIR_SMTPD_RECIPIENTS = []
    smtp_send(smtpd, plain(to="anything@elsewhere.example"), to=["anything@elsewhere.example"])
    assert Ticket.objects.count() == 1


def test_smtp_restricted_to_support_addresses_refuses_others(smtpd, settings):
    settings.COMPTOIR_SMTPD_RECIPIENTS = [SUPPORT]
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp_send(smtpd, plain(to="victim@relay.example"), to=["victim@relay.example"])
    assert refused.value.recipients["victim@relay.example"][0] == 550
    assert not InboundRecord.objects.exists()
    # The support address and its plus-addressed reply addresses are accepted.
    smtp_send(smtpd, plain(), to=[SUPPORT.upper()])
    smtp_send(smtpd, plain(), to=[reply_address(1)])
    # A mixed envelope delivers to the allowed recipient only, once.
    result = smtp_send(smtpd, plain(), to=["other@relay.example", SUPPORT])
    assert result["other@relay.example"][0] == 550
    assert InboundRecord.objects.count() == 3


@pytest.mark.fault("32")
def test_same_message_by_smtp_then_webhook_is_one_message(smtpd, settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    raw = plain()
    smtp_send(smtpd, raw)
    response = Client().post(
        "/api/v1/inbound/email",
        data=b"Received: from provider\r\n" + raw,
        content_type="message/rfc822",
        headers={"X-Comptoir-Secret": SECRET},
    )
    assert response.status_code == 202, response.content
    assert response.json()["duplicate"] is True
    assert response.json()["ticket"] == Ticket.objects.get().reference
    assert Message.objects.count() == 1


@pytest.mark.fault("35")
def test_unparseable_mail_over_smtp_is_accepted_and_kept_with_its_reason(smtpd):
    raw = fixtures.no_from()
    assert smtp_send(smtpd, raw) == {}
    record = InboundRecord.objects.get()
    assert record.status == InboundRecord.Status.FAILED and "From" in record.error
    assert not Ticket.objects.exists()


def test_comptoir_smtpd_command_in_a_subprocess(tmp_path):
    """Smoke test of the real command: its own data folder and SQLite database."""
    comptoir = Path(sys.executable).with_name("comptoir")
    assert comptoir.exists(), comptoir
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPTOIR_", "DJANGO_"))}
    env.update(
        COMPTOIR_DATA_DIR=str(tmp_path),
        COMPTOIR_SECRET_KEY="smtpd-smoke-key",
        COMPTOIR_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
    )
    migrate = subprocess.run(  # noqa: S603
        [str(comptoir), "migrate", "--noinput", "-v", "0"], env=env, capture_output=True, timeout=300
    )
    assert migrate.returncode == 0, migrate.stderr.decode()
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603
        [str(comptoir), "smtpd", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:

        def listening() -> bool:
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=2):
                    return True
            except OSError:
                return proc.poll() is not None

        assert wait_for(listening, timeout=60)
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail("elodie@client.example", [SUPPORT], fixtures.charset_windows_1252())
        db = sqlite3.connect(tmp_path / "comptoir.sqlite3", timeout=20)
        try:
            rows = db.execute("SELECT reference, subject, channel FROM tickets_ticket").fetchall()
            records = db.execute("SELECT status, source FROM intake_inboundrecord").fetchall()
        finally:
            db.close()
        assert records == [("processed", "smtp")]
        assert len(rows) == 1 and rows[0][1] == FRENCH and rows[0][2] == "email"
        assert rows[0][0].startswith("CPT-")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# --- webhook -------------------------------------------------------------------------------------


def post(raw: bytes, secret: str | None):  # type: ignore[no-untyped-def]
    headers = {"X-Comptoir-Secret": secret} if secret is not None else {}
    return Client().post("/api/v1/inbound/email", data=raw, content_type="message/rfc822", headers=headers)


@pytest.mark.attack("access", "10")
def test_webhook_without_or_with_wrong_secret_is_401(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    for secret in (None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper()):
        response = post(plain(), secret)
        assert response.status_code == 401, (secret, response.status_code)
    assert not InboundRecord.objects.exists()


@pytest.mark.attack("access", "10")
def test_webhook_disabled_without_a_secret_is_403(settings):
    settings.COMPTOIR_INBOUND_SECRET = ""
    assert post(plain(), "").status_code == 403
    assert post(plain(), "anything").status_code == 403
    assert not InboundRecord.objects.exists()


def test_webhook_accepts_raw_message_and_duplicate_post_is_same_ticket(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    raw = fixtures.charset_qp_soft_break_in_accent()
    first = post(raw, SECRET)
    assert first.status_code == 202, first.content
    body = first.json()
    ticket = Ticket.objects.get()
    assert body["ticket"] == ticket.reference and body["duplicate"] is False
    assert body["status"] == "processed" and ticket.subject == FRENCH
    again = post(raw, SECRET)
    assert again.status_code == 202
    assert again.json()["ticket"] == ticket.reference and again.json()["duplicate"] is True
    assert Message.objects.count() == 1 and InboundRecord.objects.get().source == "webhook"


@pytest.mark.fault("35")
def test_webhook_unparseable_message_is_kept_and_reported_failed(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    response = post(fixtures.no_from(), SECRET)
    assert response.status_code == 202
    body = response.json()
    assert body["ticket"] is None and "From" in body["error"]
    assert body["status"] == "failed", body
    assert InboundRecord.objects.get().status == InboundRecord.Status.FAILED


def test_webhook_empty_and_oversized_bodies(settings):
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    assert post(b"", SECRET).status_code == 400
    settings.COMPTOIR_MAX_EMAIL_BYTES = 1000
    assert post(plain(body="x" * 5000), SECRET).status_code == 413
    assert not InboundRecord.objects.exists()


# --- IMAP (Dovecot) ------------------------------------------------------------------------------


def test_fetchmail_once_makes_tickets_and_flags_seen(dovecot):
    dovecot.append(plain(subject="Par IMAP 1"), fixtures.charset_windows_1252(), fixtures.no_from())
    call_command("fetchmail", url=dovecot.url, once=True)
    assert set(Ticket.objects.values_list("subject", flat=True)) == {"Par IMAP 1", FRENCH}
    assert InboundRecord.objects.filter(source="imap").count() == 3
    assert InboundRecord.objects.filter(status=InboundRecord.Status.FAILED).count() == 1
    assert all(b"\\Seen" in flags for flags in dovecot.flags().values())
    # Running again fetches nothing new.
    call_command("fetchmail", url=dovecot.url, once=True)
    assert Message.objects.count() == 2 and InboundRecord.objects.count() == 3


@pytest.mark.fault("34")
def test_crash_between_store_and_flag_leaves_one_message(dovecot):
    raw = plain(subject="Stocké puis plantage")
    dovecot.append(raw)
    # The previous run fetched and stored it, then died before flagging it \\Seen.
    client = dovecot.client()
    try:
        (uid,) = client.search(["UNSEEN"])
        fetched = bytes(client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"])
    finally:
        client.logout()
    email_receive(raw=fetched, source="imap")
    assert dovecot.flags()[uid] == ()
    call_command("fetchmail", url=dovecot.url, once=True)
    assert Message.objects.count() == 1 and Ticket.objects.count() == 1
    assert InboundRecord.objects.count() == 1
    assert b"\\Seen" in dovecot.flags()[uid]


@pytest.mark.fault("34")
def test_crash_after_store_with_different_bytes_still_one_message(dovecot):
    """The stored copy came by another route (SMTP, with its own trace header)."""
    raw = plain(subject="Deux chemins")
    email_receive(raw=b"Received: from mx by comptoir\r\n" + raw, source="smtp")
    dovecot.append(raw)
    call_command("fetchmail", url=dovecot.url, once=True)
    assert Message.objects.count() == 1
    assert all(b"\\Seen" in flags for flags in dovecot.flags().values())


@pytest.mark.fault("34")
def test_two_pollers_at_once_make_exactly_one_message_each(dovecot):
    raws = [plain(subject=f"Concurrent {n}", body=f"message {n}") for n in range(8)]
    dovecot.append(*raws)
    config = ImapConfig.from_url(dovecot.url)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def poll() -> None:
        try:
            client = _connect(config)
            try:
                barrier.wait(timeout=30)
                fetch_once(client)
            finally:
                client.logout()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(
        f"Concurrent {n}" for n in range(8)
    )
    assert Message.objects.count() == 8
    assert InboundRecord.objects.exclude(status=InboundRecord.Status.PROCESSED).count() == 0
    assert all(b"\\Seen" in flags for flags in dovecot.flags().values())


def test_poller_uses_idle_and_picks_up_new_mail_without_polling(dovecot):
    config = ImapConfig.from_url(dovecot.url)
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            run(config, idle_timeout=600, poll_every=3600)  # only IDLE can wake it in time
        except BaseException as exc:  # noqa: BLE001 - the server stops at teardown
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    time.sleep(1.5)  # connected and idling
    dovecot.append(plain(subject="Réveil par IDLE"))
    assert wait_for(lambda: Ticket.objects.filter(subject="Réveil par IDLE").exists(), timeout=20)
    assert not errors


@pytest.mark.attack("secrets", "31")
def test_fetchmail_bad_password_is_an_error_without_the_password(dovecot):
    url = dovecot.url.replace(dovecot.password, "Wr0ng-S3cret-pw")
    with pytest.raises(CommandError) as err:
        call_command("fetchmail", url=url, once=True)
    assert "Wr0ng-S3cret-pw" not in str(err.value)
    assert "imap-test-password" not in str(err.value)
