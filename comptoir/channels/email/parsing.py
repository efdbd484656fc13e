"""Raw RFC 822 bytes to a protocol-free description of the message. No database, no Django models.

Strict where identity is concerned (one valid From address, or the message is refused with a
reason), forgiving where content is concerned (any charset and transfer encoding real clients
send, broken MIME read as far as it goes).
"""

from __future__ import annotations

import email
import hashlib
import html
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from comptoir.tickets.files import IncomingFile

from .authentication import sender_auth

MSGID_RE = re.compile(r"<[^<>\s]{1,250}>")
REFERENCE_RE = re.compile(r"\[?\b(CPT-\d{6,})\b\]?")
AUTO_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}
ROBOT_LOCALPARTS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"}
MAX_PARTS = 200
PEEK_BYTES = 256 * 1024  # the headers of any real message fit; the body is not needed to peek


class EmailParseError(Exception):
    """The message cannot become a ticket message; ``reason`` says why, for staff.

    The only exception ``parse_email`` raises: the pipeline keeps such a message as ``failed``.
    The reason is stored and shown, so it is one line without NUL or lone surrogates.
    """

    def __init__(self, reason: str) -> None:
        reason = _plain_text(reason)[:1000] or "unparseable message"
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedEmail:
    from_address: str
    from_name: str
    subject: str
    text: str  # the new text, quoted history and signature separated
    full_text: str
    html: str  # sanitised
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


def part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset()
    if charset in {"us-ascii", "ascii"}:
        charset = "utf-8"  # mislabelled 8-bit text is common; utf-8 then cp1252 recover it
    return _decode_bytes(payload, charset)


def _header(msg: Message, name: str) -> str:
    """A header as one line of text; a value the policy cannot parse is read from its raw form."""
    try:
        value = msg.get(name)
        if value is None:
            return ""
        text = str(value)
    except Exception:  # e.g. an encoded word decoding to a line break in an address header
        text = _raw_header(msg, name)
    if "\ufffd" in text or any("\udc80" <= ch <= "\udcff" for ch in text):
        text = _raw_header(msg, name) or text
    return _plain_text(text)


def _raw_header(msg: Message, name: str) -> str:
    """Raw 8-bit header bytes (sent by some clients against the RFCs): UTF-8, else Windows-1252,
    then any RFC 2047 words they also contain."""
    from email.header import decode_header, make_header

    for key, raw in msg.raw_items():
        if key.lower() != name.lower():
            continue
        data = str(raw).encode("ascii", "surrogateescape")
        text = _decode_bytes(data, "utf-8")
        try:
            return str(make_header(decode_header(text)))
        except Exception:  # malformed encoded words: the decoded bytes are still readable
            return text
    return ""


def _plain_text(text: str) -> str:
    """One line of displayable text: control characters and lone surrogates become spaces."""
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


def _sender(msg: EmailMessage) -> tuple[str, str]:
    try:
        froms = msg.get_all("From") or []
    except Exception as exc:  # the header parser refused it (CR/LF in a decoded name, ...)
        raise EmailParseError(f"invalid From header: {type(exc).__name__}: {exc}") from exc
    if len(froms) != 1:
        raise EmailParseError(f"expected exactly one From header, found {len(froms)}")
    header = froms[0]
    defects = [d for d in getattr(header, "defects", ()) if "Undecodable" not in type(d).__name__]
    addresses = list(getattr(header, "addresses", ()))
    if defects or len(addresses) != 1:
        raise EmailParseError(f"ambiguous or invalid From address: {str(froms[0])[:200]!r}")
    address = addresses[0].addr_spec.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise EmailParseError(f"invalid From address: {address[:200]!r}") from exc
    name = addresses[0].display_name or ""
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        name = _decode_bytes(name.encode("utf-8", "surrogateescape"), "utf-8")
    return address, _plain_text(name)[:200]


def _recipients(msg: Message) -> list[str]:
    """Every recipient address; a header the strict parser refuses is read leniently (a broken
    To must not lose the reply address that threads the message)."""
    from email.utils import getaddresses

    found: list[str] = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        try:
            for value in msg.get_all(name) or []:
                found += [a.addr_spec.lower() for a in getattr(value, "addresses", ())]
        except Exception:
            raw = [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]
            found += [addr.lower() for _name, addr in getaddresses(raw) if "@" in addr]
    return [_plain_text(a) for a in found[:100] if _plain_text(a)]


def _ids(value: str) -> list[str]:
    return MSGID_RE.findall(value or "")[:50]


def _auto_reason(msg: Message, sender: str, own: set[str]) -> str | None:
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto[:40]}"
    precedence = _header(msg, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "X-Autogenerated"):
        if msg.get(name) is not None:
            return name
    if msg.get("List-Id") or msg.get("List-Unsubscribe"):
        return "mailing list"
    if msg.get_content_type() == "multipart/report":
        return "delivery status notification"
    if _header(msg, "Return-Path").replace(" ", "") == "<>":
        return "null Return-Path"
    local = sender.split("@", 1)[0]
    if local in ROBOT_LOCALPARTS:
        return f"robot sender {local}"
    if sender in own:
        return "our own address"
    return None


def _walk(msg: Message) -> list[Message]:
    parts = []
    for index, part in enumerate(msg.walk()):
        if index >= MAX_PARTS:
            break
        parts.append(part)
    return parts


def _attachments(parts: list[Message], body_parts: set[int]) -> list[IncomingFile]:
    found = []
    for part in parts:
        if part.is_multipart() or id(part) in body_parts:
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        inline_image = ctype.startswith("image/") and (part.get("Content-ID") or disposition == "inline")
        if not (filename or disposition == "attachment" or inline_image):
            continue
        if ctype in {"message/rfc822", "message/delivery-status"}:
            continue
        payload = part.get_payload(decode=True) or b""
        try:
            name = str(filename) if filename else ""
        except Exception:
            name = ""
        found.append(
            IncomingFile(
                name=name or f"attachment.{ctype.split('/')[-1]}", content=payload, declared_type=ctype
            )
        )
    return found


def _enclosed_digests(parts: list[Message]) -> list[bytes]:
    """Digests of enclosed messages (forwards, bounces): two emails differing only there differ."""
    digests = []
    for part in parts:
        if part.get_content_type() in {"message/rfc822", "message/delivery-status", "text/rfc822-headers"}:
            try:
                digests.append(hashlib.sha256(part.as_bytes()).digest())
            except Exception:  # an enclosed message too broken to serialise: its raw payload
                digests.append(hashlib.sha256(str(part.get_payload()).encode("utf-8", "replace")).digest())
    return digests


def html_to_text(markup: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", markup)
    text = nh3.clean(text, tags=set())
    text = html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


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


def _parse(raw: bytes, *, own: set[str], trusted: Collection[str] = ()) -> ParsedEmail:
    msg = email.message_from_bytes(raw, policy=policy.default)
    sender, name = _sender(msg)  # type: ignore[arg-type]
    parts = _walk(msg)
    plain = html_part = None
    for part in parts:
        ctype = part.get_content_type()
        if part.get_content_disposition() == "attachment" or part.get_filename():
            continue
        if ctype == "text/plain" and plain is None:
            plain = part
        elif ctype == "text/html" and html_part is None:
            html_part = part
    body_parts = {id(p) for p in (plain, html_part) if p is not None}
    raw_html = part_text(html_part) if html_part is not None else ""
    full_text = part_text(plain) if plain is not None else html_to_text(raw_html)
    full_text = full_text.replace("\r\n", "\n").replace("\x00", "").strip()
    attachments = _attachments(parts, body_parts)
    if not full_text and not attachments:
        full_text = ""
    subject = _header(msg, "Subject")[:255]
    date = _header(msg, "Date") or None
    if date:
        try:
            date = parsedate_to_datetime(date).isoformat()
        except (TypeError, ValueError):
            date = None
    recipients = _recipients(msg)
    verdict = sender_auth(msg, from_domain=sender.rpartition("@")[2], trusted_ids=trusted)
    fingerprint = hashlib.sha256(
        "\x1f".join([sender, subject, date or "", full_text]).encode("utf-8", "surrogatepass")
        + b"".join(hashlib.sha256(a.content).digest() for a in attachments)
        + b"".join(_enclosed_digests(parts))
    ).hexdigest()
    message_id = (_ids(_header(msg, "Message-ID")) or [None])[0]
    return ParsedEmail(
        from_address=sender,
        from_name=name,
        subject=subject,
        text=split_reply(full_text) if full_text else "",
        full_text=full_text,
        html=raw_html,
        message_id=message_id,
        in_reply_to=(_ids(_header(msg, "In-Reply-To")) or [None])[0],
        references=_ids(_header(msg, "References")),
        recipients=recipients,
        attachments=attachments,
        auto_reason=_auto_reason(msg, sender, own),
        sender_auth=verdict.result,
        sender_auth_detail=verdict.detail[:200],
        date=date,
        fingerprint=fingerprint,
    )


def email_peek(raw: bytes) -> dict[str, str]:
    """Sender and subject for staff lists, read from the headers alone; never raises.

    Taken when the raw bytes are stored, so a message that cannot be parsed is still listed with
    who sent it and what about. Control characters (line breaks, NUL) and lone surrogates are
    dropped: the result goes to JSON and to a page.
    """
    from email.parser import BytesHeaderParser
    from email.policy import compat32

    try:
        head = BytesHeaderParser(policy=compat32).parsebytes(raw[:PEEK_BYTES])
        found: dict[str, str] = {}
        for name, value in head.raw_items():
            key = {"from": "sender", "subject": "subject"}.get(name.lower())
            if key is None or key in found:
                continue
            text = _plain_text(_decode_words(str(value)))[:200]
            if text:
                found[key] = text
        return found
    except Exception:  # a peek is a convenience; the raw bytes are kept whatever happens
        return {}


def subject_reference(subject: str) -> str | None:
    match = REFERENCE_RE.search(subject or "")
    return match.group(1) if match else None
