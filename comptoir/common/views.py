"""Views shared by every area: the CSRF refusal page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (an expired session, a page left open, another
    site's form): the site's own 403 page in the visitor's language, with the way back, instead of
    Django's bare English one. The reason stays in the log, never on the page."""
    return render(request, "403_csrf.html", status=403)
