"""Raw RFC 822 bytes to a protocol-free description of the message. No database, no Django models.

Strict where identity is concerned (one valid From address, or the message is refused with a
reason), forgiving where content is concerned (any charset and transfer encoding real clients
send, broken MIME read as far as it goes).

Bounded: whatever its structure, a message costs a bounded amount of work (issue 9). The MIME
tree is read by the standard library's feed parser, fed in small chunks, and reading stops at
``MAX_PARTS`` parts, ``MAX_DEPTH`` levels of nesting or ``MAX_LINE_UNITS`` (lines read, weighted
by what each costs the parser); header fields, header values, decoded text and HTML are capped
before the costly steps. What was not read is listed in ``ParsedEmail.limits`` so the
pipeline can say so on the ticket; the raw bytes are always kept by the caller.

Fast: the tree is read with the ``compat32`` policy (headers are kept as raw strings, nothing is
parsed that is not asked for), and only the headers this module interprets go through the modern
header parser (``policy.default``), once each, with the same result as reading the whole message
with ``policy.default``.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from email import policy
from email.feedparser import BytesFeedParser
from email.headerregistry import AddressHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from comptoir.tickets.files import IncomingFile

from .authentication import sender_auth

MSGID_RE = re.compile(r"<[^<>\s]{1,250}>")
REFERENCE_RE = re.compile(r"\[?\b(CPT-\d{6,})\b\]?")
AUTO_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}
ROBOT_LOCALPARTS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"}
PEEK_BYTES = 256 * 1024  # the headers of any real message fit; the body is not needed to peek

# Bounds on the work one message may cost (issue 9: at most about a second, whatever it holds).
# Real mail stays far inside them; only hostile or broken structure reaches them.
MAX_PARTS = 200  # MIME parts read (the flanker "enclosed-endless" message has 3,000)
MAX_DEPTH = 12  # nesting of multiparts and enclosed messages (real mail: under 8)
# Lines fed to the MIME parser, in units of its cost for one body line (~0.5 us): a body line
# costs (3 + depth) / 3 (each is checked against every open boundary), a header-like line 12
# (parsed and stored as a header). A 10 MB attachment is read whole nested up to 9 deep, a 20 MB
# one (~360,000 lines) up to 2; 40 MB of one-character lines (~10 s) is cut after ~0.3 s.
MAX_LINE_UNITS = 600_000
HEADER_LINE_UNITS = 12
HEADERISH_RE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:", re.MULTILINE)
# Header fields of the message itself read: the first and the last half (trace headers are added
# on top, the sender's own From and Subject sit at the bottom). Real mail: under 300.
MAX_HEADER_FIELDS = 5000
PARSE_CHUNK = 4096  # bytes fed at a time: the bounds are checked between chunks
MAX_HEADER_CHARS = 16 * 1024  # of one header value interpreted (Subject, From, References...)
# Decoded text kept and handed to the reply splitter (~25 pages): under the ticket message's own
# limit (tickets.services.MAX_BODY, 100,000), with room for the notes added to it.
MAX_TEXT_CHARS = 90_000
MAX_HTML_CHARS = 1_000_000  # HTML handed to the text converter and to the sanitiser
# Nesting of HTML elements handed to the HTML parser (html5ever's cost grows with the square of
# the depth: 100,000 nested <div> take ~20 s to sanitise, 400 nothing).
MAX_HTML_DEPTH = 400
HTML_VOID = frozenset(
    {
        *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source"),
        *("track", "wbr"),
        # optional end tags: the HTML parser closes these itself, they do not nest
        *("p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rt", "rp", "tbody", "thead"),
        *("tfoot", "colgroup", "caption", "html", "head", "body"),
    }
)
# Headers read as text whose modern parse, for plain ASCII without encoded words, is the text itself.
PLAIN_HEADERS = frozenset(
    {"subject", "message-id", "in-reply-to", "references", "auto-submitted", "precedence"}
)
BLANK_LINE_RE = re.compile(rb"\n\r?\n")
# The plainest mailbox, "addr@example.org" or "Name Surname <addr@example.org>" (dot-atoms, atoms
# separated by one space, ASCII): the modern parser's reading of it is known without running it
# (the same address and display name, no defect). Anything else goes to the modern parser.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
SIMPLE_MAILBOX_RE = re.compile(
    rf"(?:({_ATEXT}+(?: {_ATEXT}+)*) <({_DOT_ATOM}@{_DOT_ATOM})>|({_DOT_ATOM}@{_DOT_ATOM}))"
)
# "type/subtype; name=token; name="quoted"", folded or not, without comments, escapes nor
# RFC 2231 parts: the parameters the modern parser and the plain one read alike.
_MIME_ATOM = r"[A-Za-z0-9!#$%&'*+.^_`{|}~-]+"
_FWS = r"(?:[ \t]|\r?\n[ \t])*"
PLAIN_PARAMS_RE = re.compile(
    rf"{_MIME_ATOM}(?:/{_MIME_ATOM})?(?:{_FWS};{_FWS}[A-Za-z0-9_.-]+=(?:\"[^\"\\\r\n]*\"|[A-Za-z0-9!#$%&'+.^_`{{|}}~-]+))*{_FWS};?{_FWS}"
)
FIELD_START_RE = re.compile(rb"\n(?=[^ \t\r\n])")  # a line that does not continue the one above
HTML_TAG_RE = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*?(/?)>")


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, except that each header class is made once: the standard one
    builds a new class (``type(...)``) on every lookup, the largest single cost of reading a header."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


# ``policy.default`` with that registry: the same header objects, the same readings.
HEADER_CLASSES = _HeaderClasses()
MODERN = policy.default.clone(header_factory=HEADER_CLASSES)


class EmailParseError(Exception):
    """The message cannot become a ticket message; ``reason`` says why, for staff.

    The only exception ``parse_email`` raises: the pipeline keeps such a message as ``failed``.
    The reason is stored and shown, so it is one line without NUL or lone surrogates.
    """

    def __init__(self, reason: str) -> None:
        reason = _plain_text(reason)[:1000] or "unparseable message"
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limit:
    """A bound that was applied: ``kind`` (parts, depth, size, headers, header, text, html, and
    attachments in ingest.py), the bound (``limit``) and what it applied to (``name``: a header's
    name, a total, why)."""

    kind: str
    limit: int
    name: str = ""

    def __str__(self) -> str:
        return f"{self.kind} limit {self.limit}" + (f" ({self.name})" if self.name else "")


@dataclass
class ParsedEmail:
    from_address: str
    from_name: str
    subject: str
    text: str  # the new text, quoted history and signature separated
    full_text: str
    html: str  # as received (the ticket services sanitise it), "" when over the HTML bounds
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    recipients: list[str]
    attachments: list[IncomingFile] = field(default_factory=list)
    auto_reason: str | None = None  # why this is a robot's mail (no acknowledgment), or None
    # Whether the From domain is proven by a trusted server: "pass", "fail" (DMARC) or "none".
    sender_auth: str = "none"
    sender_auth_detail: str = ""
    date: str | None = None
    fingerprint: str = ""
    language_hint: str | None = None
    # The bounds applied: what of the message was not read, and why (the raw bytes keep it all).
    limits: list[Limit] = field(default_factory=list)


# --- Reading the MIME tree, bounded ---------------------------------------------------------------


class _Entity(Message):
    """A ``compat32`` message part that knows how deep it is (set when its parent attaches it),
    and reads its parameters (boundary, charset, file name) as ``policy.default`` does."""

    depth = 0
    budget: _Budget | None = None

    def attach(self, payload: Any) -> None:
        payload.depth = self.depth + 1
        if self.budget is not None:
            self.budget.deepest = max(self.budget.deepest, payload.depth)
        super().attach(payload)

    def get_param(
        self, param: str, failobj: Any = None, header: str = "content-type", unquote: bool = True
    ) -> Any:
        """The modern parser's reading (it mends unterminated quotes, decodes RFC 2047 file
        names), on a copy of that one header, parsed once."""
        cache: dict[str, EmailMessage | None] = self.__dict__.setdefault("_modern", {})
        key = header.lower()
        if key not in cache:
            value = next((v for k, v in self.raw_items() if k.lower() == key), None)
            modern = None
            if value is not None and unquote and _plain_params(value):
                # Read as written: the modern parser would find the same (and costs a tenth of
                # a common message's parsing); its reading is kept for the others.
                return super().get_param(param, failobj, header, unquote)
            if value is not None:
                modern = EmailMessage(policy=MODERN)
                # Stored parsed: the modern message's reads then return it instead of parsing again.
                modern.set_raw(header, MODERN.header_fetch_parse(header, value[:MAX_HEADER_CHARS]))
            cache[key] = modern
        modern = cache[key]
        return failobj if modern is None else modern.get_param(param, failobj, header, unquote)


def _plain_params(value: str) -> bool:
    """Whether a Content-Type or Content-Disposition value is plain enough (``PLAIN_PARAMS_RE``,
    ASCII, no encoded word) that reading it as written gives what the modern parser gives."""
    return (
        len(value) <= MAX_HEADER_CHARS
        and value.isascii()
        and "=?" not in value
        and (PLAIN_PARAMS_RE.fullmatch(value) is not None)
    )


class _Budget:
    """The feed parser's message factory: counts the parts it makes, remembers the last one."""

    def __init__(self) -> None:
        self.parts = 0
        self.deepest = 0
        self.last: _Entity | None = None

    def __call__(self, policy: Any = policy.compat32) -> _Entity:
        entity = _Entity(policy)
        entity.budget = self
        self.parts += 1
        self.last = entity
        return entity


def read_mime(raw: bytes) -> tuple[Message, list[Limit], Message | None]:
    """(tree, bounds applied, the part being read when reading stopped, or None).

    Fed in chunks so that reading stops soon after a bound is passed; the parser then closes
    what it has (a truncated message is something it reads anyway: missing boundaries, a cut
    part). Parts deeper than ``MAX_DEPTH`` or past ``MAX_PARTS`` may exist in the tree, read in
    the last chunk: ``parts_of`` leaves them out.
    """
    budget = _Budget()
    parser = BytesFeedParser(_factory=budget, policy=policy.compat32)
    budget.parts, budget.last = 0, None  # the parser calls the factory once to probe it
    limits: list[Limit] = []
    raw, header_fields = _trim_headers(raw)
    if header_fields:
        limits.append(Limit("headers", MAX_HEADER_FIELDS, name=str(header_fields)))
    units = 0.0
    stop = None
    for start in range(0, len(raw), PARSE_CHUNK):
        chunk = raw[start : start + PARSE_CHUNK]
        parser.feed(chunk)
        headerish = len(HEADERISH_RE.findall(chunk)) if b":" in chunk else 0  # base64 has no colon
        # Line ends as the parser splits them: LF, CR or CRLF.
        lines = chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n") - headerish
        units += lines * (3 + budget.deepest) / 3 + headerish * HEADER_LINE_UNITS
        if budget.parts > MAX_PARTS:
            stop = Limit("parts", MAX_PARTS)
        elif budget.deepest > MAX_DEPTH:
            stop = Limit("depth", MAX_DEPTH)
        elif units > MAX_LINE_UNITS and start + PARSE_CHUNK < len(raw):
            stop = Limit("size", start + PARSE_CHUNK, name=str(len(raw)))
        if stop is not None:
            limits.append(stop)
            break
    tree = parser.close()
    return tree, limits, (budget.last if stop is not None else None)


def _field_starts(raw: bytes, start: int, stop: int) -> int:
    """How many header fields start after a line end in ``raw[start:stop]`` (as FIELD_START_RE
    finds them), counted in C: line ends, less those a continuation follows (a header block has
    no empty line)."""
    found = raw.count(b"\n", start, stop) - (raw[stop - 1 : stop] == b"\n")
    return found - raw.count(b"\n ", start, stop) - raw.count(b"\n\t", start, stop)


def _trim_headers(raw: bytes) -> tuple[bytes, int]:
    """``raw`` with only the first and last ``MAX_HEADER_FIELDS / 2`` fields of its header block,
    and how many fields that block had; ``(raw, 0)`` when it is within the bound. Linear, and
    only the kept fields are looked at one by one."""
    end = BLANK_LINE_RE.search(raw)
    stop = end.start() + 1 if end else len(raw)  # just after the last header line's LF
    total = _field_starts(raw, 0, stop) + 1
    if total <= MAX_HEADER_FIELDS:
        return raw, 0
    keep = MAX_HEADER_FIELDS // 2
    head_end = next(itertools.islice(FIELD_START_RE.finditer(raw, 0, stop), keep - 1, None)).end()
    window = 64 * 1024  # the smallest window before the end of the block holding the last fields
    while window < stop and _field_starts(raw, stop - window, stop) < keep:
        window *= 2
    starts = [m.end() for m in FIELD_START_RE.finditer(raw, max(0, stop - window), stop)]
    return raw[:head_end] + raw[starts[-keep] :], total


def parts_of(msg: Message) -> list[Message]:
    """The parts within the bounds, in order (the root first)."""
    parts: list[Message] = []
    for part in msg.walk():
        if len(parts) >= MAX_PARTS:
            break
        if getattr(part, "depth", 0) <= MAX_DEPTH:
            parts.append(part)
    return parts


class _Headers:
    """The top-level headers by lower-case name, each interpreted at most once, by the modern
    parser (``policy.default``): the same values as reading the message with that policy."""

    def __init__(self, msg: Message) -> None:
        self.raw: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            self.raw.setdefault(name.lower(), []).append(value)
        self.cut: list[str] = []
        self._parsed: dict[str, list[Any]] = {}

    def __contains__(self, name: str) -> bool:
        return name.lower() in self.raw

    def raw_values(self, name: str) -> list[str]:
        return [v[:MAX_HEADER_CHARS] for v in self.raw.get(name.lower(), [])]

    def simple_mailboxes(self, name: str) -> list[tuple[str, str]] | None:
        """Every (display name, address) of ``name`` when each of its values is a list of the
        plainest mailboxes (``SIMPLE_MAILBOX_RE``): what the modern parser would find, without
        its cost (a quarter of a common message's parsing). None when any value is not."""
        found = []
        for value in self.raw.get(name.lower(), []):
            if len(value) > MAX_HEADER_CHARS or not value.isascii() or "=?" in value or "\n" in value:
                return None
            for item in value.split(","):
                match = SIMPLE_MAILBOX_RE.fullmatch(item.strip(" \t\r"))
                if match is None:
                    return None
                found.append((match.group(1) or "", match.group(2) or match.group(3)))
        return found

    def date(self) -> str | None:
        """The first Date as ISO 8601; None when absent or unreadable (as the modern parser reads
        it: a plain ASCII value is read directly, which gives the same date)."""
        values = self.raw.get("date", [])
        value = values[0] if values else ""
        plain = len(value) <= MAX_HEADER_CHARS and value.isascii() and "=?" not in value
        text = " ".join(value.split()) if plain else self.text("Date")
        if not text:
            return None
        try:
            return parsedate_to_datetime(text).isoformat()
        except (TypeError, ValueError):
            return None

    def all(self, name: str) -> list[Any]:
        """Every value of ``name`` as header objects; the parser's exceptions propagate."""
        key = name.lower()
        if key not in self._parsed:
            values = []
            for value in self.raw.get(key, []):
                if len(value) > MAX_HEADER_CHARS:
                    value = value[:MAX_HEADER_CHARS]
                    if name not in self.cut:
                        self.cut.append(name)
                values.append(MODERN.header_fetch_parse(name, value))
            self._parsed[key] = values
        return self._parsed[key]

    def text(self, name: str) -> str:
        """The first ``name`` as one line of text; a value the parser cannot read is read raw."""
        if name.lower() in PLAIN_HEADERS:
            values = self.raw.get(name.lower(), [])
            value = values[0] if values else ""
            if len(value) <= MAX_HEADER_CHARS and value.isascii() and "=?" not in value:
                # Printable ASCII without encoded words: the modern parser gives back the same text.
                return _plain_text(value)
        try:
            values = self.all(name)
            if not values:
                return ""
            text = str(values[0])
        except Exception:  # e.g. an encoded word decoding to a line break in an address header
            text = self._raw_text(name)
        if "\ufffd" in text or any("\udc80" <= ch <= "\udcff" for ch in text):
            text = self._raw_text(name) or text
        return _plain_text(text)

    def _raw_text(self, name: str) -> str:
        """Raw 8-bit header bytes (sent by some clients against the RFCs): UTF-8, else
        Windows-1252, then any RFC 2047 words they also contain."""
        values = self.raw_values(name)
        return _decode_words(values[0]) if values else ""


# --- Text ---------------------------------------------------------------------------------------


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset, then the usual suspects; never fail, never drop text."""
    for candidate in (charset, "utf-8", "cp1252", "latin-1"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1", errors="replace")  # pragma: no cover - latin-1 never fails


def part_text(part: Message, limit: int | None = None) -> str:
    """A text part's decoded text; with ``limit``, no more than that many characters are decoded
    (a character is at most 4 bytes in any charset a mail client uses, 6 in UTF-7)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):  # None: a multipart
        raw = part.get_payload()
        text = raw if isinstance(raw, str) else ""
        return text[:limit] if limit is not None else text
    if limit is not None and len(payload) > limit:
        payload = payload[: limit * 6]
    charset = part.get_content_charset()
    if charset in {"us-ascii", "ascii"}:
        charset = "utf-8"  # mislabelled 8-bit text is common; utf-8 then cp1252 recover it
    text = _decode_bytes(payload, charset)
    return text[:limit] if limit is not None else text


def _plain_text(text: str) -> str:
    """One line of displayable text: control characters and lone surrogates become spaces."""
    if text.isprintable():  # the common case, checked in C
        return " ".join(text.split())
    cleaned = "".join(" " if unicodedata.category(ch) in {"Cc", "Cs"} else ch for ch in text)
    return " ".join(cleaned.split())


def _decode_words(value: str) -> str:
    """A raw header value (8-bit bytes as surrogates, RFC 2047 words) as text, best effort."""
    from email.header import decode_header, make_header

    text = _decode_bytes(value.encode("utf-8", "surrogateescape"), "utf-8")
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # malformed encoded words: the text as it came is still readable
        return text


def html_depth(markup: str) -> int:
    """An upper bound on how deep the elements of ``markup`` nest, by its tags alone (linear).

    Elements without content or whose end the HTML parser implies (``<br>``, ``<p>``, ``<td>``)
    do not count; an unclosed element counts until its end tag, which over-estimates: the point
    is to refuse what would cost the HTML parser quadratic time, not to be exact.
    """
    depth = deepest = 0
    for match in HTML_TAG_RE.finditer(markup):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in HTML_VOID:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body. Line breaks go before the closing tags (replacing them
    would leave every block unclosed, hence nested: quadratic for the HTML parser)."""
    text = re.sub(r"(?i)(<br\s*/?>|</p>|</div>|</li>|</tr>)", r"\n\1", markup)
    text = nh3.clean(text, tags=set())
    text = html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def html_to_text_rough(markup: str) -> str:
    """Text of an HTML body too large or too nested for the HTML parser: tags dropped by a
    linear pattern. Only ever shown as plain text (escaped), never as HTML."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def split_reply(text: str) -> str:
    """The newest part of a reply, without quoted history or signature (French and English)."""
    try:
        from mailparser_reply import EmailReplyParser

        replies = EmailReplyParser(languages=["en", "fr"]).read(text=text).replies
        # The first reply's body is the new text without its signature or quoted history.
        latest = replies[0].body if replies else ""
    except Exception:  # the splitter is a convenience; the full text is always kept
        return text
    return (latest or "").strip() or text


# --- Interpreting the message -------------------------------------------------------------------


def _sender(heads: _Headers) -> tuple[str, str]:
    simple = heads.simple_mailboxes("From")
    if simple is not None and len(simple) == 1 and len(heads.raw.get("from", [])) == 1:
        return _sender_checked(simple[0][1], simple[0][0])
    try:
        froms = heads.all("From")
    except Exception as exc:  # the header parser refused it (CR/LF in a decoded name, ...)
        raise EmailParseError(f"invalid From header: {type(exc).__name__}: {exc}") from exc
    if len(froms) != 1:
        raise EmailParseError(f"expected exactly one From header, found {len(froms)}")
    header = froms[0]
    defects = [d for d in getattr(header, "defects", ()) if "Undecodable" not in type(d).__name__]
    addresses = list(getattr(header, "addresses", ()))
    if defects or len(addresses) != 1:
        raise EmailParseError(f"ambiguous or invalid From address: {str(froms[0])[:200]!r}")
    return _sender_checked(addresses[0].addr_spec, addresses[0].display_name or "")


def _sender_checked(addr_spec: str, name: str) -> tuple[str, str]:
    address = addr_spec.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise EmailParseError(f"invalid From address: {address[:200]!r}") from exc
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        name = _decode_bytes(name.encode("utf-8", "surrogateescape"), "utf-8")
    return address, _plain_text(name)[:200]


def _address_header(name: str) -> bool:
    """Whether the modern parser reads ``name`` as addresses (Delivered-To, say, is plain text)."""
    return issubclass(HEADER_CLASSES[name], AddressHeader)


def _recipients(heads: _Headers) -> list[str]:
    """Every recipient address; a header the strict parser refuses is read leniently (a broken
    To must not lose the reply address that threads the message)."""
    from email.utils import getaddresses

    found: list[str] = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        if name not in heads:
            continue
        simple = heads.simple_mailboxes(name) if _address_header(name) else None
        if simple is not None:
            found += [address.lower() for _name, address in simple]
            continue
        try:
            for value in heads.all(name):
                found += [a.addr_spec.lower() for a in getattr(value, "addresses", ())]
        except Exception:
            found += [addr.lower() for _name, addr in getaddresses(heads.raw_values(name)) if "@" in addr]
    return [_plain_text(a) for a in found[:100] if _plain_text(a)]


def _ids(value: str) -> list[str]:
    return MSGID_RE.findall(value or "")[:50]


def _auto_reason(heads: _Headers, content_type: str, sender: str, own: set[str]) -> str | None:
    auto = heads.text("Auto-Submitted").lower() if "Auto-Submitted" in heads else ""
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto[:40]}"
    precedence = heads.text("Precedence").lower() if "Precedence" in heads else ""
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "X-Autogenerated"):
        if name in heads:
            return name
    if any(v.strip() for v in heads.raw_values("List-Id")[:1] + heads.raw_values("List-Unsubscribe")[:1]):
        return "mailing list"
    if content_type == "multipart/report":
        return "delivery status notification"
    if "Return-Path" in heads and heads.text("Return-Path").replace(" ", "") == "<>":
        return "null Return-Path"
    local = sender.split("@", 1)[0]
    if local in ROBOT_LOCALPARTS:
        return f"robot sender {local}"
    if sender in own:
        return "our own address"
    return None


def _attachments(
    parts: list[Message], body_parts: set[int], incomplete: Message | None
) -> list[IncomingFile]:
    found = []
    for part in parts:
        if part.is_multipart() or id(part) in body_parts or part is incomplete:
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        try:
            name = str(part.get_filename() or "")
        except Exception:
            name = ""
        inline_image = ctype.startswith("image/") and (part.get("Content-ID") or disposition == "inline")
        if not (name or disposition == "attachment" or inline_image):
            continue
        if ctype in {"message/rfc822", "message/delivery-status"}:
            continue
        payload = part.get_payload(decode=True)
        found.append(
            IncomingFile(
                name=name or f"attachment.{ctype.split('/')[-1]}",
                content=payload if isinstance(payload, bytes) else b"",
                declared_type=ctype,
            )
        )
    return found


def _enclosed_digests(parts: list[Message]) -> list[bytes]:
    """Digests of enclosed messages (forwards, bounces): two emails differing only there differ.

    Serialised with ``policy.default``, as when the message was read with it: the same digests.
    """
    digests = []
    for part in parts:
        if part.get_content_type() in {"message/rfc822", "message/delivery-status", "text/rfc822-headers"}:
            try:
                digests.append(hashlib.sha256(part.as_bytes(policy=MODERN)).digest())
            except Exception:  # too broken to refold (8-bit bytes in a header): as it came
                try:
                    digests.append(hashlib.sha256(part.as_bytes(policy=policy.compat32)).digest())
                except Exception:
                    digests.append(hashlib.sha256(part.get_content_type().encode()).digest())
    return digests


def parse_email(
    raw: bytes, *, own_addresses: set[str] | None = None, trusted_authserv_ids: Collection[str] = ()
) -> ParsedEmail:
    """Parse ``raw`` or raise EmailParseError with a reason staff can read; nothing else escapes.

    Any other exception from the standard library's parser on hostile input (and it has several,
    see tests/email/test_parser_fuzz.py) would leave a stored email neither processed nor failed.
    ``trusted_authserv_ids``: the servers whose Authentication-Results headers are believed.
    """
    try:
        return _parse(raw, own={a.lower() for a in (own_addresses or set())}, trusted=trusted_authserv_ids)
    except EmailParseError:
        raise
    except Exception as exc:  # RecursionError included: deeply nested parts
        raise EmailParseError(f"unparseable message: {type(exc).__name__}: {exc}") from exc


def _body(parts: list[Message], limits: list[Limit]) -> tuple[Message | None, Message | None, str, str]:
    """(text part, HTML part, full text, HTML to keep), within the text and HTML bounds."""
    plain = html_part = None
    for part in parts:
        ctype = part.get_content_type()
        if ctype not in {"text/plain", "text/html"}:
            continue
        if part.get_content_disposition() == "attachment" or part.get_filename():
            continue
        if ctype == "text/plain" and plain is None:
            plain = part
        elif ctype == "text/html" and html_part is None:
            html_part = part
    raw_html = part_text(html_part, MAX_HTML_CHARS + 1) if html_part is not None else ""
    html_ok = True
    if len(raw_html) > MAX_HTML_CHARS:
        limits.append(Limit("html", MAX_HTML_CHARS, name="characters"))
        html_ok = False
    elif raw_html and html_depth(raw_html) > MAX_HTML_DEPTH:
        limits.append(Limit("html", MAX_HTML_DEPTH, name="nesting"))
        html_ok = False
    if plain is not None:
        full_text = part_text(plain, MAX_TEXT_CHARS + 1)
    elif html_ok:
        full_text = html_to_text(raw_html)
    else:
        full_text = html_to_text_rough(raw_html)
    if len(full_text) > MAX_TEXT_CHARS:
        limits.append(Limit("text", MAX_TEXT_CHARS))
        full_text = full_text[:MAX_TEXT_CHARS]
    full_text = full_text.replace("\r\n", "\n").replace("\x00", "").strip()
    return plain, html_part, full_text, (raw_html if html_ok else "")


def _parse(raw: bytes, *, own: set[str], trusted: Collection[str] = ()) -> ParsedEmail:
    msg, limits, incomplete = read_mime(raw)
    heads = _Headers(msg)
    sender, name = _sender(heads)
    parts = parts_of(msg)
    plain, html_part, full_text, kept_html = _body(parts, limits)
    body_parts = {id(p) for p in (plain, html_part) if p is not None}
    attachments = _attachments(parts, body_parts, incomplete)
    subject = heads.text("Subject")[:255]
    date = heads.date()
    recipients = _recipients(heads)
    verdict = sender_auth(
        heads.raw_values("Authentication-Results"), from_domain=sender.rpartition("@")[2], trusted_ids=trusted
    )
    fingerprint = hashlib.sha256(
        "\x1f".join([sender, subject, date or "", full_text]).encode("utf-8", "surrogatepass")
        + b"".join(hashlib.sha256(a.content).digest() for a in attachments)
        + b"".join(_enclosed_digests(parts))
    ).hexdigest()
    message_id = next(iter(_ids(heads.text("Message-ID"))), None)
    in_reply_to = next(iter(_ids(heads.text("In-Reply-To"))), None) if "In-Reply-To" in heads else None
    references = _ids(heads.text("References")) if "References" in heads else []
    auto_reason = _auto_reason(heads, msg.get_content_type(), sender, own)
    limits += [Limit("header", MAX_HEADER_CHARS, name=h) for h in heads.cut]
    return ParsedEmail(
        from_address=sender,
        from_name=name,
        subject=subject,
        text=split_reply(full_text) if full_text else "",
        full_text=full_text,
        html=kept_html,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        recipients=recipients,
        attachments=attachments,
        auto_reason=auto_reason,
        sender_auth=verdict.result,
        sender_auth_detail=verdict.detail[:200],
        date=date,
        fingerprint=fingerprint,
        limits=limits,
    )


def email_peek(raw: bytes) -> dict[str, str]:
    """Sender and subject for staff lists, read from the headers alone; never raises.

    Taken when the raw bytes are stored, so a message that cannot be parsed is still listed with
    who sent it and what about. Control characters (line breaks, NUL) and lone surrogates are
    dropped: the result goes to JSON and to a page.
    """
    from email.parser import BytesHeaderParser

    end = BLANK_LINE_RE.search(raw, 0, PEEK_BYTES)  # the parser would read the body's lines too
    try:
        head = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[: end.end() if end else PEEK_BYTES])
        found: dict[str, str] = {}
        for name, value in head.raw_items():
            key = {"from": "sender", "subject": "subject"}.get(name.lower())
            if key is None or key in found:
                continue
            text = _plain_text(_decode_words(str(value)[:MAX_HEADER_CHARS]))[:200]
            if text:
                found[key] = text
        return found
    except Exception:  # a peek is a convenience; the raw bytes are kept whatever happens
        return {}


def subject_reference(subject: str) -> str | None:
    match = REFERENCE_RE.search(subject or "")
    return match.group(1) if match else None
