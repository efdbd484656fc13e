"""Attachment checks: size, type from content (never from the name), and a safe display name."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .exceptions import AttachmentRefused, AttachmentTooLarge

# Types that a browser could execute or render as a page on our origin.
DANGEROUS_EXTENSIONS = {
    "html", "htm", "xhtml", "svg", "svgz", "js", "mjs", "xml", "xsl", "exe", "dll", "bat",
    "cmd", "com", "msi", "scr", "ps1", "sh", "php", "phtml", "jsp", "asp", "aspx", "jar",
    "vbs", "hta", "swf",
}  # fmt: skip
TEXT_TYPES = {"text/plain", "text/csv"}
MARKUP_SIGNS = (
    b"<html", b"<script", b"<svg", b"<!doctype", b"<?xml", b"<body", b"<iframe", b"<img", b"<a ",
    b"<div", b"<table", b"<style", b"<title", b"<head", b"<!--", b"<p>", b"<p ", b"<br", b"<b>",
    b"<font", b"<h1", b"<object", b"<embed", b"<form", b"<meta", b"<link", b"<math", b"<base",
)  # fmt: skip


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes
    declared_type: str = ""


def incoming_files(uploaded: Iterable[UploadedFile] | None) -> tuple[IncomingFile, ...]:
    """Read uploads into memory only up to the limit; the service gives the user-facing refusal.

    Shared by every UI that takes files (portal, desk), which must not import each other."""
    files = []
    for f in uploaded or []:
        if (f.size or 0) > settings.COMPTOIR_MAX_ATTACHMENT_BYTES:
            # Do not read it: keep one byte over the limit so validation names the real problem.
            content = f.read(settings.COMPTOIR_MAX_ATTACHMENT_BYTES + 1)
        else:
            content = f.read()
        files.append(IncomingFile(name=f.name or "", content=content, declared_type=f.content_type or ""))
    return tuple(files)


def safe_filename(name: str) -> str:
    """A display name with no path, control, bidi or zero-width characters, at most 120 chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(
        ch
        for ch in name
        if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"} and ch not in '<>:"|?*'
    )
    name = name.strip(" .") or "attachment"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 110 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:120]
    return name


def _looks_like_text(content: bytes) -> bool:
    head = content[:8192]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    lowered = head.lower()
    # HTML or SVG disguised as text would still be rendered by a browser sniffing content: refuse
    # anything the WHATWG sniffing algorithm would take for markup, wherever it appears.
    return not any(tag in lowered for tag in MARKUP_SIGNS)


def detect_type(content: bytes) -> str | None:
    kind = filetype.guess(content)
    if kind is not None:
        return kind.mime
    if _looks_like_text(content):
        return "text/plain"
    return None


def validate_file(upload: IncomingFile) -> tuple[str, str, str]:
    """Return (safe name, content type, sha256) or raise AttachmentRefused with a reason."""
    limit = settings.COMPTOIR_MAX_ATTACHMENT_BYTES
    name = safe_filename(upload.name)
    if len(upload.content) > limit:
        raise AttachmentTooLarge(
            _("The file “%(name)s” is too large (%(size)s); the limit is %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(len(upload.content)),
                "limit": filesizeformat(limit),
            },
            field="attachment",
        )
    if not upload.content:
        raise AttachmentRefused(_("The file “%(name)s” is empty.") % {"name": name})
    extensions = {part.lower() for part in name.split(".")[1:]}
    detected = detect_type(upload.content)
    if extensions & DANGEROUS_EXTENSIONS or detected not in settings.COMPTOIR_ALLOWED_ATTACHMENT_TYPES:
        raise AttachmentRefused(
            _(
                "The file “%(name)s” is not an accepted type. Send a PDF, an image, "
                "a text file or an office document."
            )
            % {"name": name},
            field="attachment",
        )
    if detected in TEXT_TYPES and name.lower().endswith(".csv"):
        detected = "text/csv"
    return name, detected, hashlib.sha256(upload.content).hexdigest()
