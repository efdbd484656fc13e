"""Every message of the corpus, delivered twice: each one a ticket message or a kept failure.

Corpus: every file of corpus/flanker/messages (flanker's fixtures, Apache-2.0, see its README),
plus the cases built in ``fixtures.py`` (charsets, robots, hostile senders, malformed MIME, a
20 MB attachment...).
Accounting: distinct raw inputs == processed + duplicates + failures with a reason; nothing lost,
nothing doubled, no exception, no acknowledgment to a robot.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command

from comptoir.channels.email.ingest import email_receive
from comptoir.intake.models import InboundRecord
from comptoir.outbox.models import Delivery
from comptoir.tickets.models import Message

from . import fixtures

# In the repository, so the suite runs from a clone alone (issue 8, item 13).
CORPUS = Path(__file__).resolve().parent / "corpus" / "flanker" / "messages"
# Robots in the flanker corpus: bounces, feedback-loop complaints, read receipts.
ROBOT_DIRS = {"bounce", "complaints"}
ROBOT_FILES = {"disposition-notification.eml"}

pytestmark = pytest.mark.django_db


def corpus() -> dict[str, bytes]:
    assert CORPUS.is_dir(), f"the email corpus is missing: {CORPUS}"
    files = {str(p.relative_to(CORPUS)): p.read_bytes() for p in sorted(CORPUS.rglob("*")) if p.is_file()}
    assert len(files) >= 40, f"expected the flanker corpus (48 messages), found {len(files)}"
    return files


def _is_robot(name: str) -> bool:
    return name.split("/")[0] in ROBOT_DIRS or name in ROBOT_FILES or name.startswith("auto-")


@pytest.mark.fault("35")
def test_every_message_is_a_ticket_message_or_a_kept_failure_none_lost_none_doubled(settings):
    settings.COMPTOIR_MAX_ATTACHMENT_BYTES = 10 * 1024**2
    inputs = {f"flanker:{k}": v for k, v in corpus().items()}
    inputs.update({f"own:{k}": v for k, v in fixtures.own_cases().items()})
    inputs["own:20mb-attachment"] = fixtures.big_attachment()
    distinct = {hashlib.sha256(raw).hexdigest() for raw in inputs.values()}

    outcomes = {}
    for name, raw in inputs.items():
        outcomes[name] = email_receive(raw=raw, source="test")  # must never raise

    records = InboundRecord.objects.filter(channel="email")
    by_status = {s: records.filter(status=s).count() for s in InboundRecord.Status.values}
    assert records.count() == len(distinct), "one record per distinct raw input"
    assert by_status[InboundRecord.Status.RECEIVED] == 0, "a record was left unprocessed"
    assert by_status[InboundRecord.Status.IGNORED] == 0
    assert by_status[InboundRecord.Status.PROCESSED] + by_status[InboundRecord.Status.DUPLICATE] + by_status[
        InboundRecord.Status.FAILED
    ] == len(distinct), by_status
    lost = []
    for name, outcome in outcomes.items():
        record = InboundRecord.objects.get(pk=outcome.record.pk)
        raw = inputs[name]
        assert bytes(record.raw) == raw, f"{name}: the raw bytes were not kept as received"
        if record.status == InboundRecord.Status.FAILED:
            if not record.error.strip():
                lost.append(f"{name}: failed without a reason")
            assert outcome.result is None and outcome.error
        elif record.status == InboundRecord.Status.PROCESSED:
            if record.message_id is None or record.ticket_id is None:
                lost.append(f"{name}: processed but no message")
            elif not Message.objects.filter(pk=record.message_id, ticket_id=record.ticket_id).exists():
                lost.append(f"{name}: its message is gone")
        elif record.status == InboundRecord.Status.DUPLICATE:
            if record.ticket_id is None:
                lost.append(f"{name}: duplicate of nothing")
        else:
            lost.append(f"{name}: status {record.status}")
    assert lost == []

    # Every processed record made exactly one customer message; no message without a record.
    processed = records.filter(status=InboundRecord.Status.PROCESSED)
    assert Message.objects.filter(kind=Message.Kind.CUSTOMER).count() == processed.count()
    assert processed.values("message_id").distinct().count() == processed.count()

    # Robots never get an acknowledgment (a ticket they opened has no ack delivery).
    for name, outcome in outcomes.items():
        record = InboundRecord.objects.get(pk=outcome.record.pk)
        if not _is_robot(name.split(":", 1)[1]) or record.status != InboundRecord.Status.PROCESSED:
            continue
        acks = Delivery.objects.filter(ticket_id=record.ticket_id, kind=Delivery.Kind.ACK)
        first = Message.objects.filter(ticket_id=record.ticket_id).order_by("id").first()
        if first is not None and first.pk == record.message_id:
            assert not acks.exists(), f"{name}: a robot's mail was acknowledged"
            assert first.auto_submitted, f"{name}: not recorded as a robot's mail"

    # The same corpus again (an IMAP re-fetch, a webhook retry): nothing new, nothing lost.
    records_before, messages_before = records.count(), Message.objects.count()
    acks_before = Delivery.objects.filter(kind=Delivery.Kind.ACK).count()
    for name, raw in inputs.items():
        again = email_receive(raw=raw, source="test")
        assert again.record.pk == outcomes[name].record.pk, name
    assert records.count() == records_before
    assert Message.objects.count() == messages_before
    assert Delivery.objects.filter(kind=Delivery.Kind.ACK).count() == acks_before


@pytest.mark.fault("35")
def test_own_cases_end_as_expected():
    """Hostile senders and no-From mail are kept failures; everything else becomes a message."""
    must_fail = {
        "hostile-from-paren-trick",
        "hostile-from-double-at",
        "hostile-from-encoded-addr",
        "hostile-from-two-addresses",
        "hostile-from-group",
        "hostile-from-empty",
        "two-from-headers",
        "no-from",
    }
    for name, raw in fixtures.own_cases().items():
        outcome = email_receive(raw=raw, source="test")
        record = InboundRecord.objects.get(pk=outcome.record.pk)
        if name in must_fail:
            assert record.status == InboundRecord.Status.FAILED, name
            assert record.error, name
        else:
            assert record.status == InboundRecord.Status.PROCESSED, (name, record.error)
            assert record.message_id is not None, name


@pytest.mark.fault("35")
def test_failures_are_visible_to_staff_and_replayable(capsys):
    ok = email_receive(raw=fixtures.plain(), source="test")
    raw = fixtures.no_from()
    bad = email_receive(raw=raw, source="test")
    bad.record.refresh_from_db()
    assert bad.record.status == InboundRecord.Status.FAILED
    call_command("inbound", "failed")
    listing = capsys.readouterr().out
    listed = {line.split("\t", 1)[0] for line in listing.splitlines()}
    assert str(bad.record.pk) in listed and "From" in listing
    assert str(ok.record.pk) not in listed

    # Replaying a still-unparseable message keeps it, with its reason; nothing raises.
    call_command("inbound", "replay", str(bad.record.pk))
    assert "failed" in capsys.readouterr().out
    bad.record.refresh_from_db()
    assert bad.record.status == InboundRecord.Status.FAILED and bad.record.error
    assert bytes(bad.record.raw) == raw


@pytest.mark.fault("35")
def test_a_failure_fixed_later_is_replayed_into_a_ticket(settings):
    """A message kept as failed (here: too large at the time) becomes a ticket on replay."""
    from comptoir.channels.email.ingest import email_replay

    raw = fixtures.plain(subject="Rejoué plus tard")
    settings.COMPTOIR_MAX_EMAIL_BYTES = 100
    first = email_receive(raw=raw, source="test")
    first.record.refresh_from_db()
    assert first.record.status == InboundRecord.Status.FAILED and "too large" in first.error
    settings.COMPTOIR_MAX_EMAIL_BYTES = 40 * 1024**2
    replayed = email_replay(record_id=first.record.pk)
    assert replayed.result is not None and replayed.result.created
    assert replayed.result.ticket.subject == "Rejoué plus tard"
    replayed.record.refresh_from_db()
    assert replayed.record.status == InboundRecord.Status.PROCESSED and replayed.record.error == ""
    # Replaying again is a no-op.
    assert email_replay(record_id=first.record.pk).result.duplicate
    assert Message.objects.count() == 1
