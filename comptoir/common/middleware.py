"""Headers every response carries: a strict CSP (no inline script); tracking pages never cached."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        if request.path.startswith(("/track/", "/submitted/", "/chat/", "/my/")):
            # The tracking token (and My requests' sign-in link) is a capability: never leak it
            # to another site. Not "no-referrer": browsers then send "Origin: null" on the page's
            # own reply form, which CSRF protection rightly refuses.
            response.headers["Referrer-Policy"] = "same-origin"
            response.headers["Cache-Control"] = "no-store"
        return response


API_PREFIX = "/api/"
_API_ERRORS = {
    400: _("The request could not be read."),
    401: _("Authentication required."),
    403: _("You may not do this."),
    404: _("No such API endpoint."),
    405: _("This method is not allowed on this endpoint."),
    413: _("The request body is too large."),
    500: _("Server error: the problem has been logged."),
}
# Headers of the original answer that a client needs (405 lists the methods it may use).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ApiJsonErrorsMiddleware:
    """Under /api/, errors that Django answers itself are JSON too, in the API's error shape.

    The API's own errors are JSON already; this covers what happens outside its routes and
    handlers: an unknown URL (404), a method a route lacks (405), a server error (500, logged with
    its traceback by Django as usual), a body Django refused to read. Clients then parse every
    error the same way, and never get an HTML page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        message = _API_ERRORS.get(status) or _API_ERRORS[500 if status >= 500 else 400]
        converted = JsonResponse({"detail": str(message)}, status=status)
        for header in _KEPT_HEADERS:
            if header in response:
                converted[header] = response[header]
        return converted


class MethodNotAllowedPageMiddleware:
    """A 405 that Django answered with an empty body (``require_POST`` and friends, opened by a
    link, a bookmark or a reload) becomes a page in the visitor's language with a way back,
    instead of the browser's own error page. The ``Allow`` header stays; the API answers JSON
    (``ApiJsonErrorsMiddleware``), and a view that wrote its own 405 body keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.path.startswith(API_PREFIX)
            or getattr(response, "streaming", False)
            or response.content
        ):
            return response
        from django.shortcuts import render

        page = render(request, "405.html", status=405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
