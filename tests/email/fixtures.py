"""Email test messages, built in code: one builder per case of the issue and of THREATS.md.

Every builder returns the raw RFC 822 bytes a mail server would hand Comptoir. Byte-level cases
(charsets, transfer encodings, malformed headers) are written literally so that no library
"fixes" them on the way.
"""

from __future__ import annotations

import base64
import itertools
from email.message import EmailMessage
from email.policy import SMTP

SUPPORT = "support@comptoir.localhost"
FRENCH = "Réclamation électricité, cœur, 50 €"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A valid 1x1 PNG: type detection reads its signature.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_counter = itertools.count(1)


def new_message_id(domain: str = "client.example") -> str:
    return f"<m{next(_counter)}.{id(_counter)}@{domain}>"


def plain(
    *,
    sender: str = "Élodie Tremblay <elodie@client.example>",
    to: str = SUPPORT,
    subject: str = "Compteur en panne",
    body: str = "Bonjour,\n\nmon compteur ne fonctionne plus.\n\nÉlodie",
    message_id: str | None = "auto",
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    date: str = "Mon, 02 Mar 2026 10:00:00 +0100",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    if message_id == "auto":
        message_id = new_message_id()
    if message_id:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, content, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=SMTP)


def crlf(text: str) -> bytes:
    """Literal message text to wire bytes: CRLF line ends, 8-bit UTF-8 where not ASCII."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def _literal(headers: str, body: bytes) -> bytes:
    return crlf(headers.strip("\n") + "\n\n") + body


def _head(subject_header: str, ctype: str, cte: str, mid: str | None = None) -> str:
    return (
        "From: Elodie Tremblay <elodie@client.example>\n"
        + f"To: {SUPPORT}\n"
        + f"Subject: {subject_header}\n"
        + "Date: Mon, 02 Mar 2026 10:00:00 +0100\n"
        + f"Message-ID: {mid or new_message_id()}\n"
        + "MIME-Version: 1.0\n"
        + f"Content-Type: {ctype}\n"
        + f"Content-Transfer-Encoding: {cte}\n"
    )


# --- charsets (case 38): each carries FRENCH in its subject and its body ------------------------


def charset_iso8859_15() -> bytes:
    subject = "=?ISO-8859-15?Q?R=E9clamation_=E9lectricit=E9=2C_c=BDur=2C_50_=A4?="
    return _literal(
        _head(subject, 'text/plain; charset="ISO-8859-15"', "8bit"), FRENCH.encode("iso-8859-15") + b"\r\n"
    )


def charset_iso8859_1() -> bytes:
    # ISO-8859-1 has neither œ nor €: the text is the accented part only.
    subject = "=?ISO-8859-1?Q?R=E9clamation_=E9lectricit=E9?="
    body = "Réclamation électricité, à régler".encode("iso-8859-1")
    return _literal(_head(subject, "text/plain; charset=iso-8859-1", "quoted-printable"), _qp(body))


def charset_windows_1252() -> bytes:
    subject = "=?windows-1252?Q?R=E9clamation_=E9lectricit=E9=2C_c=9Cur=2C_50_=80?="
    body = (FRENCH + " – l’électricité").encode("cp1252")
    return _literal(_head(subject, "text/plain; charset=windows-1252", "8bit"), body + b"\r\n")


def charset_qp_soft_break_in_accent() -> bytes:
    """UTF-8 quoted-printable whose soft line break falls between the two bytes of "é"."""
    subject = "=?UTF-8?Q?R=C3=A9clamation_=C3=A9lectricit=C3=A9=2C_c=C5=93ur=2C_50_=E2=82=AC?="
    body = b"R=C3=A9clamation =C3=A9lectricit=C3=\r\n=A9, c=C5=93ur, 50 =E2=82=AC\r\n"
    return _literal(_head(subject, "text/plain; charset=utf-8", "quoted-printable"), body)


def charset_split_encoded_words() -> bytes:
    """The subject in two RFC 2047 words (split between characters, as Outlook does)."""
    subject = (
        "=?UTF-8?Q?R=C3=A9clamation_=C3=A9lectricit=C3=A9=2C?=\n"
        " =?UTF-8?B?" + base64.b64encode(" cœur, 50 €".encode()).decode() + "?="
    )
    body = base64.encodebytes(FRENCH.encode())
    return _literal(_head(subject, "text/plain; charset=UTF-8", "base64"), body)


def charset_split_inside_character() -> bytes:
    """Two encoded words that split one multibyte character (illegal, yet sent by some mailers)."""
    subject = "=?UTF-8?Q?R=C3=A9clamation_=C3=A9lectricit=C3?=\n =?UTF-8?Q?=A9=2C_c=C5=93ur=2C_50_=E2=82=AC?="
    return _literal(_head(subject, "text/plain; charset=utf-8", "8bit"), FRENCH.encode() + b"\r\n")


def charset_base64_utf8() -> bytes:
    subject = "=?utf-8?b?" + base64.b64encode(FRENCH.encode()).decode() + "?="
    body = base64.encodebytes(FRENCH.encode())
    return _literal(_head(subject, "text/plain; charset=utf-8", "base64"), body)


def charset_mislabelled_ascii() -> bytes:
    """Declared us-ascii, actually UTF-8 8-bit (a common client bug)."""
    subject = "=?UTF-8?Q?R=C3=A9clamation_=C3=A9lectricit=C3=A9=2C_c=C5=93ur=2C_50_=E2=82=AC?="
    return _literal(_head(subject, "text/plain; charset=us-ascii", "8bit"), FRENCH.encode() + b"\r\n")


def charset_koi8_r() -> bytes:
    subject = "=?koi8-r?B?" + base64.b64encode("Счёт за электричество".encode("koi8-r")).decode() + "?="
    body = "Здравствуйте, счёт неверный.".encode("koi8-r")
    return _literal(_head(subject, "text/plain; charset=koi8-r", "8bit"), body + b"\r\n")


def _qp(data: bytes) -> bytes:
    import quopri

    return quopri.encodestring(data) + b"\r\n"


CHARSET_CASES = {
    "iso-8859-15": (charset_iso8859_15, FRENCH, FRENCH),
    "iso-8859-1": (charset_iso8859_1, "Réclamation électricité", "Réclamation électricité, à régler"),
    "windows-1252": (charset_windows_1252, FRENCH, FRENCH + " – l’électricité"),
    "qp-soft-break-in-accent": (charset_qp_soft_break_in_accent, FRENCH, FRENCH),
    "split-rfc2047": (charset_split_encoded_words, FRENCH, FRENCH),
    "split-rfc2047-inside-char": (charset_split_inside_character, FRENCH, FRENCH),
    "base64-utf8": (charset_base64_utf8, FRENCH, FRENCH),
    "mislabelled-us-ascii": (charset_mislabelled_ascii, FRENCH, FRENCH),
    "koi8-r": (charset_koi8_r, "Счёт за электричество", "Здравствуйте, счёт неверный."),
}


# --- robots (case 36) ---------------------------------------------------------------------------


def auto_replied() -> bytes:
    return plain(
        subject="Absence du bureau",
        body="Je suis absente jusqu'au 10 mars.",
        headers={"Auto-Submitted": "auto-replied"},
    )


def precedence(value: str) -> bytes:
    return plain(subject=f"Newsletter ({value})", body="Nouvelles du mois.", headers={"Precedence": value})


def x_autoreply() -> bytes:
    return plain(subject="Re: votre demande", body="Réponse automatique.", headers={"X-Autoreply": "yes"})


def mailing_list() -> bytes:
    return plain(
        sender="Liste <liste@lists.example>",
        subject="[liste] Annonce",
        body="Message de liste.",
        headers={"List-Id": "<liste.lists.example>", "List-Unsubscribe": "<mailto:leave@lists.example>"},
    )


def null_return_path() -> bytes:
    return plain(subject="Notification", body="Votre colis est arrivé.", headers={"Return-Path": "<>"})


def own_address() -> bytes:
    return plain(sender=f"Comptoir <{SUPPORT}>", subject="Notre propre message", body="Boucle ?")


def dsn_bounce(original_subject: str = "Votre demande") -> bytes:
    """A delivery status notification (RFC 3464) from MAILER-DAEMON."""
    boundary = "dsn-boundary-42"
    return crlf(
        f"""From: Mail Delivery System <MAILER-DAEMON@mx.client.example>
To: {SUPPORT}
Subject: Undelivered Mail Returned to Sender
Date: Mon, 02 Mar 2026 10:05:00 +0100
Message-ID: {new_message_id("mx.client.example")}
Return-Path: <>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=us-ascii

This is the mail system. Your message could not be delivered.

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.client.example

Final-Recipient: rfc822; nobody@client.example
Action: failed
Status: 5.1.1

--{boundary}
Content-Type: message/rfc822

From: {SUPPORT}
To: nobody@client.example
Subject: {original_subject}

Original text.
--{boundary}--
"""
    )


def dsn_without_auto_headers() -> bytes:
    """A DSN that relies on multipart/report alone (no Auto-Submitted, a normal Return-Path)."""
    raw = dsn_bounce().replace(b"Return-Path: <>\r\n", b"").replace(b"Auto-Submitted: auto-replied\r\n", b"")
    return raw.replace(b"MAILER-DAEMON@mx.client.example", b"reports@mx.client.example")


AUTO_CASES = {
    "auto-submitted": auto_replied,
    "precedence-bulk": lambda: precedence("bulk"),
    "precedence-list": lambda: precedence("list"),
    "x-autoreply": x_autoreply,
    "mailing-list": mailing_list,
    "dsn-report": dsn_bounce,
    "dsn-report-only": dsn_without_auto_headers,
    "null-return-path": null_return_path,
    "own-from": own_address,
}


# --- content ------------------------------------------------------------------------------------


def html_only(*, sender: str = "Hugo <hugo@client.example>") -> bytes:
    markup = (
        "<html><head><style>p{color:red}</style><script>alert('head')</script></head><body>"
        "<p>Bonjour, <b>ma facture</b> est fausse.</p>"
        "<script>alert(1)</script>"
        '<iframe src=" javascript:alert(2)"></iframe>'
        '<img src="x" onerror="alert(3)">'
        '<img src="https://tracker.evil.test/pixel.gif">'
        '<a href="javascript:alert(4)">clic</a> <a href="https://example.org/aide">aide</a>'
        '<svg onload="alert(5)"></svg><form action="https://evil.test"><input name=x></form>'
        "<div>&lt;script&gt;entity&lt;/script&gt;</div>"
        "</body></html>"
    )
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = "Facture en HTML"
    msg["Message-ID"] = new_message_id()
    msg.set_content(markup, subtype="html")
    return msg.as_bytes(policy=SMTP)


def with_quoted_history(lang: str) -> bytes:
    if lang == "fr":
        body = (
            "Merci, le compteur fonctionne de nouveau.\n\n"
            "Le lun. 2 mars 2026 à 10:00, Comptoir <support@comptoir.localhost> a écrit :\n"
            "> Nous avons remplacé votre compteur.\n"
            "> Cordialement,\n"
            "> Le support\n"
        )
    else:
        body = (
            "Thanks, the meter works again.\n\n"
            "-- \nHugo Martin\nTel 514 555 0199\n\n"
            "On Mon, Mar 2, 2026 at 10:00 AM Comptoir <support@comptoir.localhost> wrote:\n"
            "> We replaced your meter.\n"
            "> Regards,\n"
            "> Support\n"
        )
    return plain(subject="Re: compteur", body=body)


def with_attachments() -> bytes:
    """A named PDF, hostile names, an RFC 2231 accented name, and an inline image (no name)."""
    msg = EmailMessage()
    msg["From"] = "Chloé <chloe@client.example>"
    msg["To"] = SUPPORT
    msg["Subject"] = "Pièces jointes"
    msg["Message-ID"] = new_message_id()
    msg.set_content("Voici les documents.")
    msg.add_alternative('<p>Voici les documents.</p><img src="cid:photo1@client.example">', subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(PNG, maintype="image", subtype="png", cid="<photo1@client.example>")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="relevé d'électricité.pdf")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="../../etc/passwd.pdf")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="facture\u202e\u200b.pdf")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename='"><svg onload=alert(1)>.pdf')
    return msg.as_bytes(policy=SMTP)


def big_attachment(size: int = 20 * 1024 * 1024) -> bytes:
    """A 20 MB PDF attachment: over the 10 MiB attachment limit, under the 40 MiB message limit."""
    content = PDF + b"0" * (size - len(PDF))
    return plain(
        subject="Relevé annuel",
        body="Veuillez trouver le relevé en pièce jointe.",
        attachments=[("releve-annuel.pdf", content, "application/pdf")],
    )


def no_text_part() -> bytes:
    """Only an image, no text/plain or text/html part at all."""
    msg = EmailMessage()
    msg["From"] = "Inès <ines@client.example>"
    msg["To"] = SUPPORT
    msg["Subject"] = "Photo du compteur"
    msg["Message-ID"] = new_message_id()
    msg.set_content(PNG, maintype="image", subtype="png", disposition="attachment", filename="compteur.png")
    return msg.as_bytes(policy=SMTP)


def empty_body() -> bytes:
    return plain(subject="Sujet seulement", body="")


# --- malformed (case 35) ------------------------------------------------------------------------


def malformed_header() -> bytes:
    """A header line without a colon, 8-bit raw bytes in headers, a NUL in a header."""
    return (
        b"From: Ren\xc3\xa9e <renee@client.example>\r\n"
        b"To: " + SUPPORT.encode() + b"\r\n"
        b"Subject: Facture d\xe9j\xe0 pay\xe9e\r\n"
        b"This line is not a header\r\n"
        b"X-Broken: a\x00b\r\n"
        b"Message-ID: <malformed-1@client.example>\r\n"
        b"\r\n"
        b"Le corps du message.\r\n"
    )


def truncated_boundary() -> bytes:
    return crlf(
        f"""From: Marc <marc@client.example>
To: {SUPPORT}
Subject: Coupure
Message-ID: {new_message_id()}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="never-closed"

--never-closed
Content-Type: text/plain; charset=utf-8

Le courant est coupé depuis ce matin.
--never-closed
Content-Type: application/pdf; name="a.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK!!!not base64 at all
"""
    )


def no_from() -> bytes:
    return crlf(f"To: {SUPPORT}\nSubject: Sans expediteur\nMessage-ID: {new_message_id()}\n\nTexte.\n")


HOSTILE_FROMS = {
    "paren-trick": "alice@example.org)<bob@example.com>",
    "double-at": "a@b@<c@d>",
    "encoded-addr": "=?utf-8?q?bob=40example=2Ecom?= <=?utf-8?q?bob=40example=2Ecom?=>",
    "encoded-name-looks-like-victim": "=?utf-8?q?bob=40example=2Ecom?= <mallory@evil.test>",
    "two-addresses": "bob@example.com, mallory@evil.test",
    "group": "Undisclosed:;",
    "quoted-at": '"bob@example.com" <mallory@evil.test>',
    "comment-addr": "mallory@evil.test (bob@example.com)",
    "empty": "",
}


def hostile_from(value: str) -> bytes:
    return crlf(f"From: {value}\nTo: {SUPPORT}\nSubject: Bonjour\nMessage-ID: {new_message_id()}\n\nTexte.\n")


def two_from_headers() -> bytes:
    return crlf(
        f"From: mallory@evil.test\nFrom: bob@example.com\nTo: {SUPPORT}\nSubject: Bonjour\n"
        f"Message-ID: {new_message_id()}\n\nTexte.\n"
    )


def own_cases() -> dict[str, bytes]:
    """Every own addition for the corpus test (the 20 MB one is added by the test itself)."""
    cases = {f"charset-{k}": v[0]() for k, v in CHARSET_CASES.items()}
    cases.update({f"auto-{k}": v() for k, v in AUTO_CASES.items()})
    cases.update({f"hostile-from-{k}": hostile_from(v) for k, v in HOSTILE_FROMS.items()})
    cases.update(
        {
            "two-from-headers": two_from_headers(),
            "html-only": html_only(),
            "quoted-fr": with_quoted_history("fr"),
            "quoted-en": with_quoted_history("en"),
            "attachments": with_attachments(),
            "no-text-part": no_text_part(),
            "empty-body": empty_body(),
            "malformed-header": malformed_header(),
            "truncated-boundary": truncated_boundary(),
            "no-from": no_from(),
            "no-message-id": plain(message_id=None, subject="Sans Message-ID", body="Pas d'identifiant."),
            "hijack-attempt": plain(
                sender="mallory@evil.test", subject="Re: [CPT-000001] Compteur", body="Je prends la main."
            ),
            "plain": plain(),
        }
    )
    return cases
