"""HTTP helpers shared by the UIs (desk, portal), which must not import each other."""

from __future__ import annotations

from typing import Protocol

from django.core.files import File
from django.http import FileResponse


class StoredFile(Protocol):
    """What a download needs from a stored attachment."""

    @property
    def file(self) -> File: ...
    @property
    def filename(self) -> str: ...
    @property
    def content_type(self) -> str: ...


def attachment_response(att: StoredFile) -> FileResponse:
    """Always a download: never rendered inline on our origin, whatever the file claims to be."""
    response = FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.filename,
        content_type=att.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
