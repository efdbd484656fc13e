"""Macros (issue 10): the macros an agent may apply, and a macro applied to a ticket."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from comptoir.macros.models import Macro
from comptoir.macros.selectors import macro_get, macro_list, macro_text_for
from comptoir.macros.services import reply_send
from comptoir.tickets import selectors

from . import serializers as out
from .schemas import ERRORS, Id, MessageOut, Strict, Text

router = Router(tags=["macros"])


class MacroOut(Schema):
    id: int
    name: str
    shared: bool = Field(
        description="Shared with every agent (managed by supervisors); else the caller's own."
    )
    body_fr: str = Field(description="The French text, with {{placeholders}}.")
    body_en: str = Field(description="The English text, with {{placeholders}}.")
    set_status: str | None
    set_priority: str | None
    set_team: str | None


class MacroApplyIn(Strict):
    body: Text | None = Field(
        default=None,
        max_length=100_000,
        description="The text to send; by default the macro's in the ticket's language, placeholders filled.",
    )
    visibility: Literal["public", "internal"] = "public"
    then_status: Literal["waiting_customer", "resolved"] | None = Field(
        default=None, description='"Send and set status": overrides the macro\'s own status.'
    )


class MacroAppliedOut(Schema):
    message: MessageOut
    status: str
    priority: str
    team: str | None
    status_kept: bool = Field(
        description="The reply waits for a senior's approval: the status (with the macro's priority "
        "and team) waits with it and is applied when the reply is approved."
    )


def _macro(m: Macro) -> dict:
    return {
        "id": m.pk, "name": m.name, "shared": m.is_shared, "body_fr": m.body_fr, "body_en": m.body_en,
        "set_status": m.set_status or None, "set_priority": m.set_priority or None,
        "set_team": m.set_team.name if m.set_team else None,
    }  # fmt: skip


@router.get("/macros", response={200: list[MacroOut], **ERRORS}, operation_id="comptoir_api_macros_list")
def macros_list(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Shared macros and the caller's own; another agent's personal macros never appear."""
    return [_macro(m) for m in macro_list(actor=request.auth)]


@router.post(
    "/tickets/{reference}/macros/{macro_id}/apply",
    response={201: MacroAppliedOut, **ERRORS},
    operation_id="comptoir_api_macros_apply",
)
def macro_apply(request: HttpRequest, reference: Text, macro_id: Id, payload: MacroApplyIn):  # type: ignore[no-untyped-def]
    """Send the macro's reply (or ``body``) and apply its actions in one transaction, as the desk
    does: a junior's reply still waits for approval (and the status with it)."""
    ticket = selectors.ticket_get(actor=request.auth, reference=reference)
    macro = macro_get(actor=request.auth, macro_id=macro_id)
    body = (
        payload.body
        if payload.body is not None
        else macro_text_for(actor=request.auth, macro=macro, ticket=ticket)
    )
    outcome = reply_send(
        ticket_id=ticket.pk, actor=request.auth, body=body, internal=payload.visibility == "internal",
        macro_id=macro.pk, then_status=payload.then_status or "",
    )  # fmt: skip
    t = outcome.ticket
    return Status(201, {
        "message": out.message(outcome.message), "status": t.status, "priority": t.priority,
        "team": t.team.name if t.team_id else None, "status_kept": outcome.status_kept,
    })  # fmt: skip
