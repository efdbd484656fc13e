"""The one JSON API (``/api/v1/``): error handlers, and a router per context mounted on it.

Each module holds one context's routes: ``tickets``, ``customers``, ``assignment``, ``triage``,
``inbound`` (providers' webhooks), ``channels``, ``outbox``. Routes parse, call one service or
selector, serialise; no business rule lives here. Operation ids are given on each route, as they
were before the split by context (issue 9), so generated clients keep their method names.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from comptoir.common.exceptions import DomainError

from . import (
    articles,
    assignment,
    channels,
    customers,
    deflection,
    errors,
    inbound,
    incidents,
    macros,
    metrics,
    outbox,
    problems,
    quality,
    questions,
    search,
    suggestions,
    ticket_articles,
    tickets,
    triage,
    voc,
)
from .auth import TokenAuth

api = NinjaAPI(
    title="Comptoir API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url="/docs",
)
errors.install(api)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):  # type: ignore[no-untyped-def]
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError):  # type: ignore[no-untyped-def]
    errors = [{"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))} for e in exc.errors]
    first = errors[0] if errors else {"loc": [], "msg": ""}
    where = ".".join(p for p in first["loc"] if p not in {"body", "payload", "query"})
    detail = _("Invalid request: %(field)s: %(problem)s") % {
        "field": where or "-",
        "problem": first["msg"],
    }
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError):  # type: ignore[no-untyped-def]
    return api.create_response(
        request, {"detail": _("Authentication required: send a valid API token.")}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):  # type: ignore[no-untyped-def]
    # django-ninja raises 400 for unreadable bodies with an English text; say it in the user's language.
    unparsable = exc.status_code == 400 and str(exc).startswith("Cannot parse request body")
    detail = _("The request body could not be read as JSON.") if unparsable else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


for context in (tickets, customers, assignment, triage, inbound, channels, outbox, search, macros, articles):
    api.add_router("/", context.router)
api.add_router("/", questions.router)  # issue 11: POST /tickets/{reference}/reply-check
api.add_router("/", ticket_articles.router)  # issue 11: POST /tickets/{reference}/article
api.add_router("/", suggestions.router)  # issue 11: GET /tickets/{reference}/suggestions
api.add_router("/", deflection.router)  # issue 11: GET /knowledge/deflection
api.add_router("/", voc.router)  # issue 12: GET/POST /voc, GET /tickets/{reference}/survey
api.add_router("/", metrics.router)  # issue 12: GET /metrics (JSON or CSV)
api.add_router("/", quality.router)  # issue 12: GET /quality/actions (corrective actions)
api.add_router("/", incidents.router)  # issue 13: /incidents, their tickets, updates and broadcasts
api.add_router("/", problems.router)  # issue 13: /problems, their proposals, known-error articles
