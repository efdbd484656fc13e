"""The JSON API: parse, call one service or selector, serialise. No business rule lives here."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status

from comptoir.accounts.selectors import agent_get_by_email
from comptoir.common.exceptions import DomainError, InvalidInput
from comptoir.customers.selectors import customer_get
from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.routing.selectors import team_get_by_name
from comptoir.tickets import selectors as tickets
from comptoir.tickets.services import ticket_agent_message
from comptoir.tickets.tracking import tracking_url
from comptoir.triage.services import ticket_update

from . import errors
from . import serializers as out
from .auth import TokenAuth
from .channels import router as channels_router
from .channels import webhooks as channel_webhooks
from .inbound import router as inbound_router
from .outbox import router as outbox_router
from .schemas import (
    CustomerOut,
    ErrorOut,
    EventOut,
    Id,
    MessageIn,
    MessageOut,
    Text,
    TicketCreatedOut,
    TicketDetailOut,
    TicketIn,
    TicketPageOut,
    TicketPatchIn,
    TicketStatus,
)
from .work import router as work_router

api = NinjaAPI(
    title="Comptoir API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url="/docs",
)
router = Router(tags=["tickets"])
customers_router = Router(tags=["customers"])

ERRORS = dict.fromkeys([400, 401, 403, 404, 409, 413, 422], ErrorOut)
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


@router.post("/tickets", response={201: TicketCreatedOut, 200: TicketCreatedOut, **ERRORS})
def ticket_create(request: HttpRequest, payload: TicketIn):  # type: ignore[no-untyped-def]
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    c = payload.customer
    result = receive(
        InboundMessage(
            channel=payload.channel,
            customer=CustomerData(
                name=c.name or "", email=c.email, phone=c.phone, account=c.account,
                language=c.language,
            ),
            subject=payload.subject,
            text=payload.body,
            external_id=f"api:{request.auth.pk}:{key}" if key else None,
            language=c.language,
        )
    )  # fmt: skip
    ticket = result.ticket
    body = {**out.ticket(ticket), "tracking_url": tracking_url(ticket.tracking_uid)}
    return Status(201 if result.created else 200, body)


@router.get("/tickets", response={200: TicketPageOut, **ERRORS})
def ticket_list(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    status: TicketStatus | None = None,
    team: Text | None = None,
    assignee: Text | None = None,
    customer: Id | None = None,
    cursor: Text | None = None,
    limit: int = 50,
):
    team_id = assignee_id = None
    if team:
        found = team_get_by_name(name=team)
        team_id = found.pk if found else -1
    if assignee:
        agent = agent_get_by_email(email=assignee)
        assignee_id = agent.pk if agent else -1
    page = tickets.ticket_list(
        actor=request.auth, status=status, team_id=team_id, assignee_id=assignee_id,
        customer_id=customer, cursor=cursor, limit=max(1, min(limit, 200)),
    )  # fmt: skip
    return {"items": [out.ticket(t) for t in page.items], "next_cursor": page.next_cursor}


@router.get("/tickets/{reference}", response={200: TicketDetailOut, **ERRORS})
def ticket_detail(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    messages = tickets.ticket_messages(ticket=ticket, public_only=False)
    return {
        **out.ticket(ticket),
        "tracking_url": tracking_url(ticket.tracking_uid),
        "messages": [out.message(m) for m in messages],
    }


@router.get("/tickets/{reference}/history", response={200: list[EventOut], **ERRORS})
def ticket_history(request: HttpRequest, reference: Text):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    return [out.event(e) for e in tickets.ticket_history(ticket=ticket)]


@router.patch("/tickets/{reference}", response={200: TicketDetailOut, **ERRORS})
def ticket_patch(request: HttpRequest, reference: Text, payload: TicketPatchIn):  # type: ignore[no-untyped-def]
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    given = payload.model_fields_set
    changes: dict = {}
    if "team" in given:
        changes["team"] = _lookup(
            lambda name: team_get_by_name(name=name), payload.team, "team", _("Unknown team.")
        )
    if "assignee" in given:
        changes["assignee"] = _lookup(
            lambda name: agent_get_by_email(email=name), payload.assignee, "assignee",
            _("Unknown agent."),
        )  # fmt: skip
    if "category" in given:
        changes["category"] = _lookup(
            lambda name: tickets.category_get(slug=name), payload.category, "category",
            _("Unknown category."),
        )  # fmt: skip
    ticket_update(
        ticket_id=ticket.pk, actor=request.auth, version=payload.version,
        status=payload.status, priority=payload.priority, **changes,
    )  # fmt: skip
    return ticket_detail(request, reference)


def _lookup(find, name: str | None, field: str, error: str):  # type: ignore[no-untyped-def]
    if name is None:
        return None
    found = find(name)
    if found is None:
        raise InvalidInput(error, field=field)
    return found


@router.post("/tickets/{reference}/messages", response={201: MessageOut, **ERRORS})
def message_create(request: HttpRequest, reference: Text, payload: MessageIn):  # type: ignore[no-untyped-def]
    """``Idempotency-Key`` (per client): a retry returns the first message and sends nothing twice."""
    key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
    ticket = tickets.ticket_get(actor=request.auth, reference=reference)
    message = ticket_agent_message(
        ticket=ticket, actor=request.auth, body=payload.body,
        internal=payload.visibility == "internal",
        configuration_items=payload.configuration_items,
        idempotency_key=f"api:{request.auth.pk}:{key}" if key else None,
    )  # fmt: skip
    return Status(201, out.message(message))


@customers_router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_detail(request: HttpRequest, customer_id: Id):  # type: ignore[no-untyped-def]
    if not request.auth.is_agent:
        raise HttpError(403, _("Only agents can read customers."))
    customer = customer_get(customer_id=customer_id)
    return {
        "id": customer.pk,
        "name": customer.name,
        "language": customer.language,
        "tier": customer.tier,
        "coordinator": customer.coordinator.email if customer.coordinator_id else None,
        "identities": [{"kind": i.kind, "value": i.value} for i in customer.identities.all()],
        "tickets": [
            out.ticket(t)
            for t in tickets.ticket_list(actor=request.auth, customer_id=customer.pk, limit=100).items
        ],
    }


api.add_router("/", router)
api.add_router("/", customers_router)
api.add_router("/", inbound_router)
api.add_router("/", channels_router)
api.add_router("/", channel_webhooks)
api.add_router("/", work_router)
api.add_router("/", outbox_router)
