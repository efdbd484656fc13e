"""Hostile structure is read within bounds, and what was not read is said (issue 9, target 2).

Each torture message (tests/email/torture.py) goes in from the outside, as a provider's webhook
or the SMTP receiver hands it over. Before the bounds, these either failed (deep nesting raised
RecursionError: no ticket), silently dropped what lay past 200 parts, or cost the parser seconds
to minutes. Now each one becomes a ticket whose message holds the customer's sentence and a note
naming the bound that applied, with the raw bytes kept whole. Behaviour only, no timings: the
times are in bench/results/inbound.md (bench/inbound.py).
"""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings

from comptoir.channels.email import ingest, parsing
from comptoir.channels.email.ingest import email_replay
from comptoir.intake.models import InboundRecord
from comptoir.tickets.models import Attachment, Message

from . import fixtures, torture
from .test_parser_fuzz import message

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "inbound-test-secret-0123456789"
NOTE = "[This email was not read whole: "
CORPUS = Path(__file__).resolve().parent / "corpus" / "flanker" / "messages"

# Each case: the builder, and the words of the note that say which bound applied.
CASES = {
    "deep-multipart": (torture.deep_multipart, "parts nested more than 12 levels deep were not read"),
    "deep-enclosed": (torture.deep_enclosed, "parts nested more than 12 levels deep were not read"),
    "many-parts": (torture.many_parts, "only its first 200 MIME parts were read; only its first 10 of 198"),
    "huge-headers": (torture.huge_headers, "only 5000 of its 100007 header fields were read"),
    "short-lines": (torture.short_lines, f"its text was cut at {parsing.MAX_TEXT_CHARS} characters"),
    "enormous-html": (torture.enormous_html, "its HTML version, over 1000000 characters, is not shown"),
    "deep-html": (torture.deep_html, "its HTML version, over 1000000 characters, is not shown"),
    "encodings": (torture.encodings, " bytes were read"),
}


def post(raw: bytes, settings) -> dict:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_INBOUND_SECRET = SECRET
    response = Client().post(
        "/api/v1/inbound/email", data=raw, content_type="message/rfc822",
        headers={"X-Comptoir-Secret": SECRET, "Accept-Language": "en"},
    )  # fmt: skip
    assert response.status_code == 202, response.content[:500]
    return response.json()


def assert_kept_and_noted(record_id: int, raw: bytes, words: str) -> Message:
    record = InboundRecord.objects.get(pk=record_id)
    assert record.status == InboundRecord.Status.PROCESSED, (record.status, record.error)
    assert bytes(record.raw) == raw, "the raw message is kept whole"
    message = Message.objects.get(pk=record.message_id)
    assert torture.SENTENCE in message.body, "the customer's words reach the ticket"
    assert NOTE in message.body and words in message.body, message.body[-600:]
    assert f"(inbound email {record.pk})" in message.body, "the note says where the original is"
    return message


@pytest.mark.fault("issue9-2")
@pytest.mark.parametrize("case", list(CASES))
def test_torture_message_is_read_within_bounds_kept_whole_and_noted(case, settings):
    build, words = CASES[case]
    raw = build()
    assert len(raw) < settings.COMPTOIR_MAX_EMAIL_BYTES
    body = post(raw, settings)
    assert body["status"] == "processed" and body["ticket"], body["error"]
    message = assert_kept_and_noted(body["record"], raw, words)
    assert len(message.body) < parsing.MAX_TEXT_CHARS + 2000, "no more text than the bound"
    assert len(message.body_html) <= parsing.MAX_HTML_CHARS
    assert Attachment.objects.filter(message=message).count() <= ingest.MAX_ATTACHMENTS


@pytest.mark.fault("issue9-2")
def test_each_bound_cuts_what_it_names():
    """The bounds themselves, on the parsed message: parts, depth, HTML, text, headers."""
    parsed = parsing.parse_email(torture.many_parts())
    assert [str(x) for x in parsed.limits] == ["parts limit 200"]
    assert len(parsed.attachments) < parsing.MAX_PARTS  # the body and containers count as parts

    parsed = parsing.parse_email(torture.deep_multipart())
    assert [x.kind for x in parsed.limits] == ["depth"] and parsed.text == torture.SENTENCE

    parsed = parsing.parse_email(torture.deep_html())
    assert parsed.html == "" and [x.kind for x in parsed.limits] == ["html"]
    assert parsed.text.startswith(torture.SENTENCE) and "<div>" not in parsed.text

    nested = torture.deep_html(levels=parsing.MAX_HTML_DEPTH + 50)  # small, but too deep
    parsed = parsing.parse_email(nested)
    assert [(x.kind, x.name) for x in parsed.limits] == [("html", "nesting")] and parsed.html == ""

    parsed = parsing.parse_email(torture.short_lines())
    assert [x.kind for x in parsed.limits] == ["size", "text"]
    assert len(parsed.full_text) == parsing.MAX_TEXT_CHARS

    parsed = parsing.parse_email(torture.huge_headers())
    assert parsed.from_address == "eve@client.example" and parsed.subject.startswith("Facture électricité")
    assert parsed.text == torture.SENTENCE
    # 100,008 fields, of which the first and last 2,500 are read; To and Subject over 16 KiB.
    assert [str(x) for x in parsed.limits] == [
        "headers limit 5000 (100007)", "header limit 16384 (Subject)", "header limit 16384 (To)"
    ]  # fmt: skip


@pytest.mark.fault("issue9-2")
def test_a_part_cut_by_the_size_bound_is_not_stored_as_a_truncated_file():
    parsed = parsing.parse_email(torture.encodings())
    assert [x.kind for x in parsed.limits] == ["size"]
    names = [a.name for a in parsed.attachments]
    assert "a.bin" in names and "d.txt" not in names, names  # d.txt lies past the bound


@pytest.mark.fault("issue9-2")
@fuzz_settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(message())
def test_hostile_mime_cut_anywhere_by_tiny_bounds_never_escapes_the_parser(raw):
    """With bounds small enough to cut every generated message somewhere (mid-header, mid-part,
    mid-boundary), the parser still only returns or raises EmailParseError."""
    with pytest.MonkeyPatch.context() as mp:
        tiny = {
            "MAX_PARTS": 2,
            "MAX_DEPTH": 1,
            "MAX_LINE_UNITS": 20,
            "PARSE_CHUNK": 16,
            "MAX_HEADER_FIELDS": 4,
        }
        for name, value in tiny.items():
            mp.setattr(parsing, name, value)
        mp.setattr(parsing, "MAX_HEADER_CHARS", 8)
        try:
            parsed = parsing.parse_email(raw, own_addresses={fixtures.SUPPORT})
        except parsing.EmailParseError as exc:
            assert exc.reason.strip()
            return
        assert all(isinstance(x, parsing.Limit) for x in parsed.limits)


@pytest.mark.fault("issue9-2")
def test_real_mail_meets_no_bound():
    """The corpus (flanker's real and broken messages, our own cases, a 20 MB attachment) is read
    whole, but for flanker's two torture messages, 3,000 enclosed parts and a 200 KB subject."""
    messages = {p.name: p.read_bytes() for p in sorted(CORPUS.rglob("*.eml"))}
    messages.update(fixtures.own_cases())
    messages["20mb-attachment"] = fixtures.big_attachment()
    bounded = {}
    for name, raw in messages.items():
        try:
            parsed = parsing.parse_email(raw, own_addresses={fixtures.SUPPORT})
        except parsing.EmailParseError:
            continue
        if parsed.limits:
            bounded[name] = [str(x) for x in parsed.limits]
    assert bounded == {
        "enclosed-endless.eml": ["parts limit 200"],
        "long-header.eml": ["header limit 16384 (Subject)"],
    }


@pytest.mark.fault("issue9-2")
def test_a_bounded_message_over_smtp_is_accepted_and_replays_the_same(smtpd, settings):
    settings.LANGUAGE_CODE = "en"  # the receiver's thread writes the note in the default language
    raw = torture.deep_enclosed()
    with smtplib.SMTP(smtpd.hostname, smtpd.port, timeout=60) as client:
        assert client.sendmail("eve@client.example", [fixtures.SUPPORT], raw) == {}
    record = InboundRecord.objects.get()
    words = CASES["deep-enclosed"][1]
    assert record.status == InboundRecord.Status.PROCESSED, record.error
    message = Message.objects.get(pk=record.message_id)
    assert torture.SENTENCE in message.body and words in message.body
    assert bytes(record.raw).endswith(raw), "kept as received (under our Authentication-Results)"
    # A replay of the kept message lands on what was made, the same ticket.
    assert email_replay(record_id=record.pk).result.ticket.pk == record.ticket_id
