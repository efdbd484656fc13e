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
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from comptoir.tickets.files import IncomingFile

MSGID_RE = re.compile(r"<[^<>\s]{1,250}>")
REFERENCE_RE = re.compile(r"\[?\b(CPT-\d{6,})\b\]?")
AUTO_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}
ROBOT_LOCALPARTS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"}
MAX_PARTS = 200


class EmailParseError(Exception):
    """The message cannot become a ticket message; ``reason`` says why, for staff."""

    def __init__(self, reason: str) -> None:
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
    dmarc_fail: bool = False
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
    value = msg.get(name)
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:  # a header the policy could not fold back: use its raw form
        text = str(msg.get_all(name, [""])[0])
    if "\ufffd" in text or any("\udc80" <= ch <= "\udcff" for ch in text):
        text = _raw_header(msg, name) or text
    return " ".join(text.split())


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


def _sender(msg: EmailMessage) -> tuple[str, str]:
    froms = msg.get_all("From") or []
    if len(froms) != 1:
        raise EmailParseError(f"expected exactly one From header, found {len(froms)}")
    header = msg["From"]
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
    return address, " ".join(name.split())[:200]


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


def parse_email(raw: bytes, *, own_addresses: set[str] | None = None) -> ParsedEmail:
    """Parse ``raw`` or raise EmailParseError with a reason staff can read."""
    own = {a.lower() for a in (own_addresses or set())}
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        raise EmailParseError(f"unreadable message: {type(exc).__name__}: {exc}") from exc
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
    recipients = []
    for header_name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        for value in msg.get_all(header_name) or []:
            recipients += [a.addr_spec.lower() for a in getattr(value, "addresses", ())]
    auth = _header(msg, "Authentication-Results").lower()
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
        dmarc_fail="dmarc=fail" in auth,
        date=date,
        fingerprint=fingerprint,
    )


def subject_reference(subject: str) -> str | None:
    match = REFERENCE_RE.search(subject or "")
    return match.group(1) if match else None
