"""Requests the API cannot even read answer JSON, like every other API error (issue 8).

Django raises these while parsing a body (``request.POST``, ``request.body``) and, left to
itself, answers an HTML page and logs a full traceback for what is only a client's mistake. Here
they become a 400 or 413 with the API's error shape and one warning line in the log.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI

logger = logging.getLogger("comptoir.api")


def install(api: NinjaAPI) -> None:
    """Register the handlers for unreadable requests on ``api``."""

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        logger.warning("Request body too large on %s: %s", request.path, exc)
        detail = _("The request body is larger than the limit of %(limit)s bytes.") % {
            "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
        return api.create_response(request, {"detail": detail}, status=413)

    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(BadRequest)
    @api.exception_handler(SuspiciousOperation)
    def unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.warning("Unreadable request on %s: %s: %s", request.path, type(exc).__name__, exc)
        detail = _("The request could not be read: %(problem)s") % {"problem": _unreadable_reason(exc)}
        return api.create_response(request, {"detail": detail}, status=400)


def _unreadable_reason(exc: Exception) -> str:
    if isinstance(exc, MultiPartParserError):
        return _("malformed form data.")
    return _("malformed request.")
