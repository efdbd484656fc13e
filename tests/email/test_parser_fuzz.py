"""The email parser on hostile input: it returns a parsed message or raises EmailParseError, nothing else.

Anything else escaping ``parse_email`` used to leave a stored email neither processed nor failed
(issue 8, item 6): the SMTP receiver answered 451 forever, the webhook 500, replay crashed. The
pipeline turns EmailParseError into a kept, listed, replayable failure, so that is the only
exception allowed. Bounded: a few hundred examples per strategy, well under a minute in all.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.channels.email.parsing import EmailParseError, ParsedEmail, email_peek, parse_email

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # a fixed budget, nothing written next to the tests
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NASTY_TEXT = st.text(
    alphabet=st.sampled_from(list("aZ é€@<>\"'(),;:\\=?_-.") + ["\r", "\n", "\x00", "\t", "\udc80"]),
    max_size=40,
)
CHARSETS = st.sampled_from(
    ["utf-8", "UTF-8", "iso-8859-1", "cp1252", "x-unknown", "utf-7", "", "utf-8'", "gb2312"]
)
HEADER_NAMES = st.sampled_from(
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Reply-To",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version",
        "Authentication-Results", "Auto-Submitted", "Precedence", "Return-Path", "Delivered-To",
        "X-Original-To", "List-Id", "Received", "X-Anything",
    ]
)  # fmt: skip


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    """An RFC 2047 word whose decoded text may hold CR, LF, NUL or undecodable bytes."""
    raw = draw(st.binary(max_size=24) | NASTY_TEXT.map(lambda s: s.encode("utf-8", "surrogateescape")))
    charset = draw(CHARSETS)
    if draw(st.booleans()):
        return f"=?{charset}?b?{base64.b64encode(raw).decode()}?="
    quoted = "".join(
        f"={b:02X}" if not (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else chr(b) for b in raw
    )
    return f"=?{charset}?q?{quoted}?="


@st.composite
def header_value(draw: st.DrawFn) -> str:
    pieces = draw(
        st.lists(
            encoded_word()
            | NASTY_TEXT
            | st.sampled_from(
                ["<a@b.example>", "x@y.example", "Eve <eve@example.com>", "group:;", "\r\n ", "<>"]
            ),
            max_size=5,
        )
    )
    return " ".join(pieces)


@st.composite
def part(draw: st.DrawFn, depth: int = 0) -> bytes:
    """A MIME entity: text with a charset and transfer encoding, or a multipart with a broken boundary."""
    headers = []
    if depth < 3 and draw(st.booleans()):
        boundary = draw(st.sampled_from(["b1", "", "==", "a" * 80, "b1\r\nX: y", '"q"']))
        ctype = draw(
            st.sampled_from(
                ["multipart/mixed", "multipart/alternative", "multipart/report", "message/rfc822"]
            )
        )
        headers.append(f'Content-Type: {ctype}; boundary="{boundary}"')
        children = draw(st.lists(part(depth + 1), max_size=3))
        body = b""
        for child in children:
            body += (
                f"--{draw(st.sampled_from([boundary, boundary + 'x', '']))}\r\n".encode() + child + b"\r\n"
            )
        if draw(st.booleans()):
            body += f"--{boundary}--\r\n".encode()
    else:
        ctype = draw(
            st.sampled_from(["text/plain", "text/html", "image/png", "application/pdf", "bogus", ""])
        )
        headers.append(f"Content-Type: {ctype}; charset={draw(CHARSETS)}")
        cte = draw(st.sampled_from(["base64", "quoted-printable", "8bit", "7bit", "x-uuencode", "bogus"]))
        headers.append(f"Content-Transfer-Encoding: {cte}")
        if draw(st.booleans()):
            headers.append(f"Content-Disposition: attachment; filename={draw(header_value())}")
        body = draw(st.binary(max_size=200))
    extra = draw(st.lists(st.tuples(HEADER_NAMES, header_value()), max_size=4))
    headers += [f"{name}: {value}" for name, value in extra]
    return "\r\n".join(headers).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body


@st.composite
def message(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(HEADER_NAMES, header_value()), max_size=12))
    if draw(st.booleans()):
        headers.insert(0, ("From", f"{draw(encoded_word())} <eve@example.com>"))
    if draw(st.integers(0, 9)) == 0:  # huge header counts
        headers += [("Received", "from x by y")] * draw(st.integers(100, 2000))
    head = "\r\n".join(f"{n}: {v}" for n, v in headers).encode("utf-8", "surrogateescape")
    return head + b"\r\n" + draw(part())


def _check(raw: bytes) -> None:
    try:
        parsed = parse_email(raw, own_addresses={"support@comptoir.localhost"})
    except EmailParseError as exc:
        assert exc.reason.strip()
        assert "\x00" not in exc.reason
        return
    assert isinstance(parsed, ParsedEmail)
    assert "\n" not in parsed.from_name and "\r" not in parsed.from_name
    assert "\n" not in parsed.subject and "\r" not in parsed.subject


@pytest.mark.fault("issue8-6")
@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_escape_the_parser(raw):
    _check(raw)
    assert isinstance(email_peek(raw), dict)


@pytest.mark.fault("issue8-6")
@FUZZ
@given(message())
def test_hostile_mime_never_escapes_the_parser(raw):
    _check(raw)
    peek = email_peek(raw)
    assert all("\x00" not in v and "\n" not in v for v in peek.values())


@pytest.mark.fault("issue8-6")
def test_the_poison_from_of_issue_8_is_an_unparseable_error_not_a_crash():
    raw = b"From: =?utf-8?b?RXZlClg=?= <eve@example.com>\r\nTo: s@x.example\r\nSubject: hi\r\n\r\nbody\r\n"
    with pytest.raises(EmailParseError) as err:
        parse_email(raw)
    assert "From" in err.value.reason
