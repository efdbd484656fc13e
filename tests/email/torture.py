"""Hostile message structure (issue 9, target 2): each builder returns raw bytes under the 40 MB
message limit whose naive reading costs seconds to minutes, and a sentence the customer wrote at
the top of it, which must reach the ticket whatever the bounds cut.

Used by tests/email/test_bounds.py (behaviour) and bench/inbound.py (parse times).
"""

from __future__ import annotations

import base64

SENTENCE = "Bonjour, mon compteur affiche une erreur depuis lundi."
HEAD = (
    "From: Eve <eve@client.example>\r\nTo: support@comptoir.localhost\r\n"
    "Date: Mon, 02 Mar 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
)


def _message(subject: str, extra_headers: str, body: bytes, mid: str) -> bytes:
    head = HEAD + f"Subject: {subject}\r\nMessage-ID: <{mid}@client.example>\r\n" + extra_headers
    return head.encode() + b"\r\n" + body


def _text_part(text: str = SENTENCE) -> bytes:
    return (
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + text.encode()
        + b"\r\n"
    )


def deep_multipart(levels: int = 5000) -> bytes:
    """The sentence first, then multiparts nested ``levels`` deep (a line per level, checked by the
    parser against every open boundary)."""
    body = b"--b0\r\n" + _text_part() + b"--b0\r\n"
    for i in range(1, levels):
        body += f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
    body += _text_part("deepest") + b"".join(f"--b{i}--\r\n".encode() for i in reversed(range(levels)))
    return _message("Imbrication", 'Content-Type: multipart/mixed; boundary="b0"\r\n', body, "deep")


def deep_enclosed(levels: int = 5000) -> bytes:
    """Forwards of forwards, ``levels`` enclosed messages deep."""
    inner = _text_part("deepest")
    for _ in range(levels):
        inner = b"Content-Type: message/rfc822\r\n\r\n" + inner
    body = b"--b0\r\n" + _text_part() + b"--b0\r\n" + inner + b"\r\n--b0--\r\n"
    return _message("Transferts", 'Content-Type: multipart/mixed; boundary="b0"\r\n', body, "enclosed")


def many_parts(count: int = 100_000) -> bytes:
    """The sentence, then ``count`` one-line attachments."""
    parts = [b"--b\r\n" + _text_part()]
    parts += [
        b'--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="p%d.txt"\r\n\r\nx\r\n'
        % i
        for i in range(count)
    ]
    body = b"".join(parts) + b"--b--\r\n"
    return _message("Pieces", 'Content-Type: multipart/mixed; boundary="b"\r\n', body, "parts")


def huge_headers() -> bytes:
    """100,000 trace headers on top (as relays add them), then the sender's own: 20,000 recipients
    and a 1 MB Subject of encoded words."""
    trace = "".join(f"Received: from relay{i}.example by mx.example\r\n" for i in range(100_000))
    to = "To: " + ",\r\n ".join(f"r{i}@client.example" for i in range(20_000)) + "\r\n"
    word = "=?utf-8?q?Facture_=C3=A9lectricit=C3=A9?="
    subject = "Subject: " + "\r\n ".join([word] * 25_000) + "\r\n"
    head = (
        trace + "From: Eve <eve@client.example>\r\n" + to + subject
        + "Date: Mon, 02 Mar 2026 10:00:00 +0100\r\nMessage-ID: <headers@client.example>\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    )  # fmt: skip
    return head.encode() + b"\r\n" + SENTENCE.encode() + b"\r\n"


def short_lines(size: int = 30 * 1024 * 1024) -> bytes:
    """One text part of ``size`` bytes of one-character lines (the parser's cost is per line)."""
    body = _text_part(SENTENCE + "\n" + "a\n" * (size // 2))
    body = body.split(b"\r\n\r\n", 1)[1]
    return _message("Lignes", "Content-Type: text/plain; charset=utf-8\r\n", body, "lines")


def enormous_html(size: int = 8 * 1024 * 1024) -> bytes:
    """An HTML-only message of ``size`` bytes of ordinary markup."""
    row = "<tr><td><p>Consommation <b>mensuelle</b></p></td><td>42 kWh</td></tr>\n"
    markup = f"<html><body><p>{SENTENCE}</p><table>" + row * (size // len(row)) + "</table></body></html>"
    body = base64.encodebytes(markup.encode())
    return _message(
        "Tableau",
        "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
        body,
        "html",
    )


def deep_html(levels: int = 200_000) -> bytes:
    """HTML whose elements nest ``levels`` deep (the HTML parser's cost grows with the square)."""
    markup = f"<p>{SENTENCE}</p>" + "<div>" * levels + "x" + "</div>" * levels
    return _message(
        "Profond",
        "Content-Type: text/html; charset=utf-8\r\n",
        markup.encode(),
        "deephtml",
    )


def encodings() -> bytes:
    """Pathological transfer encodings: 4 MB of uuencode, 4 MB of quoted-printable soft breaks,
    base64 full of garbage, and 4 MB of UTF-7, as attachments after the sentence."""
    uu_lines = b"M" + b"86%A" * 15 + b"\r\n"
    parts = [
        b"--b\r\n" + _text_part(),
        b"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-uuencode\r\n"
        b'Content-Disposition: attachment; filename="a.bin"\r\n\r\nbegin 644 a.bin\r\n'
        + uu_lines * (4 * 1024 * 1024 // len(uu_lines))
        + b"`\r\nend\r\n",
        b"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        b'Content-Disposition: attachment; filename="b.txt"\r\n\r\n' + b"a=\r\n" * (1024 * 1024) + b"\r\n",
        b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="c.pdf"\r\n\r\n' + b"!@#$%^&*()" * 400_000 + b"\r\n",
        b"--b\r\nContent-Type: text/plain; charset=utf-7\r\n"
        b'Content-Disposition: attachment; filename="d.txt"\r\n\r\n' + b"+AOk-" * 800_000 + b"\r\n",
    ]
    body = b"".join(parts) + b"--b--\r\n"
    return _message("Encodages", 'Content-Type: multipart/mixed; boundary="b"\r\n', body, "encodings")


def torture_cases() -> dict[str, bytes]:
    return {
        "deep-multipart": deep_multipart(),
        "deep-enclosed": deep_enclosed(),
        "many-parts": many_parts(),
        "huge-headers": huge_headers(),
        "short-lines": short_lines(),
        "enormous-html": enormous_html(),
        "deep-html": deep_html(),
        "encodings": encodings(),
    }
