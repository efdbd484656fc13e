"""THREATS.md file cases 24 (names), 25 (sizes) and 26 (types from content)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from comptoir.common.exceptions import DomainError
from comptoir.intake.models import InboundRecord
from comptoir.tickets.files import IncomingFile, safe_filename
from comptoir.tickets.models import Attachment, Message, Ticket
from comptoir.tickets.tracking import make_token

from .conftest import PDF, form_data

pytestmark = pytest.mark.django_db

KEY = re.compile(r"^\d+/[0-9a-f]{32}$")
TOO_LARGE = "The file “%(name)s” is too large (%(size)s); the limit is %(limit)s."
NOT_ACCEPTED = (
    "The file “%(name)s” is not an accepted type. Send a PDF, an image, a text file or an office document."
)


def _multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    """Hand-built body: the test client would basename() the name before the server sees it."""
    boundary = "xXsecurityBoundaryXx"
    out = b""
    for key, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="'.encode()
        + filename.replace('"', "%22").encode("utf-8")
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return out, f"multipart/form-data; boundary={boundary}"


def _assert_stored_safely(att: Attachment, original: str) -> None:
    assert KEY.match(att.file.name), att.file.name
    stem = Path(original.replace("\\", "/")).name
    for part in re.split(r"[./\\\x00\u200b]", stem):
        if len(part) >= 3:
            assert part not in att.file.name.split("/", 1)[1], (part, att.file.name)
    on_disk = Path(att.file.path).resolve()
    assert on_disk.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not set(att.filename) & set("/\\\x00\u200b\u202e") and ".." not in att.filename
    assert 0 < len(att.filename) <= 120


NAMES_STORED = [
    "../../x.pdf",
    "..\\..\\x.pdf",
    "/etc/passwd.pdf",
    "C:\\Windows\\win.ini.pdf",
    "CON",
    "CON.pdf",
    "nul.txt",
    "a\x00b.pdf",
    "....pdf",
    "   ",
    "x" * 300,
]
NAMES_REFUSED = [
    "shell.p\u200bhp",
    "shell.ph\u200dp",
    "facture.pdf.exe",
    "shell.php.pdf",
    "x.pdf\x00.html",
    "image.png.svg",
    "run.PDF.BAT",
    "page.HTML",
]


@pytest.mark.attack("files", "24")
@pytest.mark.parametrize("name", NAMES_STORED)
def test_hostile_names_never_reach_the_filesystem(name, make_ticket):  # type: ignore[no-untyped-def]
    content = b"texte brut" if name.endswith(".txt") else PDF
    ticket = make_ticket(attachments=(IncomingFile(name=name, content=content),))
    att = Attachment.objects.get(ticket=ticket)
    _assert_stored_safely(att, name)
    assert att.filename == safe_filename(name)
    media = Path(settings.MEDIA_ROOT)
    stored = [p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()]
    assert stored == [att.file.name]


@pytest.mark.attack("files", "24")
@pytest.mark.parametrize("name", NAMES_REFUSED)
def test_disguised_dangerous_extensions_refused(name, make_ticket):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        make_ticket(attachments=(IncomingFile(name=name, content=PDF),))
    assert "not an accepted type" in refused.value.message
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))


@pytest.mark.attack("files", "24")
@pytest.mark.parametrize(
    "name", ["../../x.pdf", "..\\..\\evil.pdf", "CON.pdf", "%2e%2e%2fx.pdf", "a\u202egpj.pdf"]
)
def test_hostile_names_through_the_web_form(name, client):  # type: ignore[no-untyped-def]
    body, ctype = _multipart(form_data(), name, PDF)
    response = client.post("/", body, content_type=ctype)
    assert response.status_code == 302, response.content[:500]
    att = Attachment.objects.get()
    _assert_stored_safely(att, name)
    track = client.get(response["Location"].replace("/submitted/", "/track/")).content.decode()
    assert escape(att.filename) in track


def _expected(lang: str, msgid: str, **params: object) -> str:
    with translation.override(lang):
        text = gettext(msgid)
        if lang != "en":
            assert text != msgid, f"no {lang} translation for: {msgid}"
        for key in ("size", "limit"):
            if key in params:
                params[key] = filesizeformat(params[key])
        return escape(text % params)


@pytest.mark.attack("files", "25")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_one_byte_over_the_limit_is_413_in_the_users_language(lang, client, settings):  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_ATTACHMENT_BYTES = 1000
    big = PDF + b"0" * (1001 - len(PDF))
    response = client.post(
        "/",
        {**form_data(), "attachment": SimpleUploadedFile("gros.pdf", big)},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert _expected(lang, TOO_LARGE, name="gros.pdf", size=1001, limit=1000) in html
    assert Ticket.objects.count() == 0 and Message.objects.count() == 0 and Attachment.objects.count() == 0
    assert InboundRecord.objects.filter(status=InboundRecord.Status.PROCESSED).count() == 0
    # Exactly at the limit is accepted (the boundary is where it is claimed to be).
    ok = client.post("/", {**form_data(), "attachment": SimpleUploadedFile("juste.pdf", big[:1000])})
    assert ok.status_code == 302
    assert Attachment.objects.get().size == 1000


@pytest.mark.attack("files", "25")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_oversized_reply_attachment_creates_no_message(lang, client, make_ticket, settings):  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_ATTACHMENT_BYTES = 1000
    ticket = make_ticket()
    big = PDF + b"0" * (5000 - len(PDF))
    response = client.post(
        f"/track/{make_token(ticket.tracking_uid)}/",
        {"body": "Voici la pièce", "attachment": SimpleUploadedFile("gros.pdf", big)},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 413
    # Only limit+1 bytes are read: the message names a size just over the limit, never the whole file.
    assert _expected(lang, TOO_LARGE, name="gros.pdf", size=1001, limit=1000) in response.content.decode()
    assert ticket.messages.count() == 1 and Attachment.objects.count() == 0


@pytest.mark.attack("files", "25")
def test_oversized_agent_attachment_creates_no_message(desk_client, make_ticket, settings, mailoutbox):  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_ATTACHMENT_BYTES = 1000
    ticket = make_ticket()
    mailoutbox.clear()
    response = desk_client.post(
        f"/desk/tickets/{ticket.reference}/messages/",
        {"body": "Réponse", "attachment": SimpleUploadedFile("gros.pdf", PDF + b"0" * 1000)},
    )
    assert response.status_code in (400, 413)
    assert "is too large" in response.content.decode()
    assert ticket.messages.count() == 1 and Attachment.objects.count() == 0 and mailoutbox == []


@pytest.mark.attack("files", "25")
def test_too_many_files_refused_without_partial_rows(client):  # type: ignore[no-untyped-def]
    files = [SimpleUploadedFile(f"f{i}.pdf", PDF + str(i).encode()) for i in range(11)]
    response = client.post("/", {**form_data(), "attachment": files})
    assert response.status_code == 422
    assert "at most 10 files" in response.content.decode()
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


HOSTILE_CONTENT = [
    ("facture.pdf", b"<html><body><script>alert(1)</script></body></html>"),
    ("facture.pdf", b"  \n<!DOCTYPE html><p>hi"),
    ("facture.pdf", b"\xef\xbb\xbf<HTML><SCRIPT>alert(1)</SCRIPT>"),
    ("facture.pdf", b"<body onload=alert(1)>"),
    ("facture.pdf", b"<iframe src=javascript:alert(1)></iframe>"),
    ("facture.pdf", b"<img src=x onerror=alert(1)>"),
    ("photo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64),
    ("notes.txt", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),
    ("data.csv", b"\x00\x01\x02\x03\xfe\xff binary"),
]


@pytest.mark.attack("files", "26")
@pytest.mark.parametrize(("name", "content"), HOSTILE_CONTENT)
def test_type_comes_from_content_and_is_refused_with_a_message(name, content, client):  # type: ignore[no-untyped-def]
    response = client.post(
        "/", {**form_data(), "attachment": SimpleUploadedFile(name, content, content_type="application/pdf")}
    )
    assert response.status_code == 422, (response.status_code, name, content[:30])
    assert _expected("en", NOT_ACCEPTED, name=name) in response.content.decode()
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.attack("files", "26")
def test_refusal_message_in_french(client):  # type: ignore[no-untyped-def]
    response = client.post(
        "/",
        {**form_data(), "attachment": SimpleUploadedFile("facture.pdf", b"<html><script>x</script>")},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    assert _expected("fr", NOT_ACCEPTED, name="facture.pdf") in response.content.decode()


@pytest.mark.attack("files", "26")
def test_declared_type_and_extension_never_decide_the_type(make_ticket):  # type: ignore[no-untyped-def]
    ticket = make_ticket(
        attachments=(
            IncomingFile(
                name="photo.jpg", content=b"<?php system($_GET['c']); ?>", declared_type="image/jpeg"
            ),
            IncomingFile(name="doc.txt", content=PDF, declared_type="text/html"),
        )
    )
    types = dict(Attachment.objects.filter(ticket=ticket).values_list("filename", "content_type"))
    assert types == {"photo.jpg": "text/plain", "doc.txt": "application/pdf"}
    assert uuid.UUID(ticket.tracking_uid.hex)  # the ticket exists; nothing was executed or inlined
