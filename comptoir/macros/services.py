"""Writing macros, and a reply sent with a macro's actions or a status: one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import InvalidInput, PermissionDenied
from comptoir.routing.models import Team
from comptoir.tickets.files import IncomingFile
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.services import reply_hold_changes, ticket_agent_message, ticket_update

from .models import STATUS_CHOICES, Macro
from .placeholders import PLACEHOLDERS, braced, unknown_placeholders
from .selectors import macro_get, macro_may_manage

# "Send and set status": what the reply form offers after a reply.
THEN_STATUSES = (Ticket.Status.WAITING_CUSTOMER.value, Ticket.Status.RESOLVED.value)
MAX_TEXT = 20_000


@dataclass(frozen=True)
class MacroData:
    """What an author writes; ``shared`` only supervisors may set."""

    name: str
    body_fr: str = ""
    body_en: str = ""
    shared: bool = False
    set_status: str = ""
    set_priority: str = ""
    set_team: Team | None = None


def _clean(data: MacroData) -> dict[str, Any]:
    name = " ".join((data.name or "").split())[:120]
    if not name:
        raise InvalidInput(_("This field is required."), field="name")
    texts = {f: (getattr(data, f) or "").replace("\x00", "").strip() for f in ("body_fr", "body_en")}
    if not any(texts.values()):
        raise InvalidInput(_("Write the text in French, in English or both."), field="body_fr")
    for field, text in texts.items():
        if len(text) > MAX_TEXT:
            raise InvalidInput(_("The text is too long."), field=field)
        unknown = unknown_placeholders(text)
        if unknown:
            raise InvalidInput(
                _("Unknown placeholder %(names)s; use one of: %(known)s.")
                % {
                    "names": braced(unknown),
                    "known": braced(PLACEHOLDERS),
                },
                field=field,
            )
    if data.set_status and data.set_status not in dict(STATUS_CHOICES):
        raise InvalidInput(_("Unknown status."), field="set_status")
    if data.set_priority and data.set_priority not in Ticket.Priority.values:
        raise InvalidInput(_("Unknown priority."), field="set_priority")
    return {
        "name": name, **texts, "set_status": data.set_status or "",
        "set_priority": data.set_priority or "", "set_team": data.set_team,
    }  # fmt: skip


def _may_write(actor: User, *, shared: bool) -> None:
    if not (actor.is_active and (actor.is_agent or actor.is_superuser)):
        raise PermissionDenied(_("Only agents have macros."))
    if shared and not actor.supervises:
        raise PermissionDenied(_("Only supervisors can manage shared macros."))


@transaction.atomic
def macro_create(*, actor: User, data: MacroData) -> Macro:
    """A personal macro (any agent) or a shared one (supervisors and administrators)."""
    _may_write(actor, shared=data.shared)
    return Macro.objects.create(owner=None if data.shared else actor, **_clean(data))


@transaction.atomic
def macro_update(*, actor: User, macro_id: int, data: MacroData) -> Macro:
    """Edit a macro one may manage; whether it is shared stays as it was."""
    macro = macro_get(actor=actor, macro_id=macro_id)
    if not macro_may_manage(actor=actor, macro=macro):
        raise PermissionDenied(_("Only supervisors can manage shared macros."))
    cleaned = _clean(data)
    for field, value in cleaned.items():
        setattr(macro, field, value)
    macro.save(update_fields=[*cleaned, "updated_at"])
    return macro


@transaction.atomic
def macro_delete(*, actor: User, macro_id: int) -> None:
    macro = macro_get(actor=actor, macro_id=macro_id)
    if not macro_may_manage(actor=actor, macro=macro):
        raise PermissionDenied(_("Only supervisors can manage shared macros."))
    macro.delete()


@dataclass(frozen=True)
class ReplyOutcome:
    message: Message
    ticket: Ticket
    # A held reply (a junior's, waiting for approval) leaves the ticket as it is: resolving or
    # waiting on the customer before they have the answer would be wrong. What was asked (status,
    # priority, team) is kept on the reply and applied when the senior approves it.
    held_changes: dict[str, Any] = dataclass_field(default_factory=dict)

    @property
    def status_kept(self) -> bool:
        """The status waits with the reply (the API's ``status_kept``)."""
        return "status" in self.held_changes


@transaction.atomic
def reply_send(
    *,
    ticket_id: int,
    actor: User,
    body: str,
    internal: bool,
    macro_id: int | None = None,
    then_status: str = "",
    configuration_items: Sequence[str] = (),
    files: Sequence[IncomingFile] = (),
) -> ReplyOutcome:
    """A reply or note, then the chosen macro's actions and "send and set status", all through
    the tickets' one door and in one transaction: a refused change (the actor's role, an unknown
    value) sends nothing. A macro the actor may not see is "not found"."""
    if then_status and then_status not in THEN_STATUSES:
        raise InvalidInput(_("Unknown status."), field="then")
    changes: dict[str, Any] = {}
    if macro_id is not None:
        changes.update(macro_get(actor=actor, macro_id=macro_id).actions())
    if then_status:
        changes["status"] = then_status
    message = ticket_agent_message(
        ticket_id=ticket_id, actor=actor, body=body, internal=internal,
        configuration_items=configuration_items, files=files,
    )  # fmt: skip
    ticket = message.ticket  # locked by the message's transaction; its version is current
    if message.held_for_id is not None and changes:
        held = reply_hold_changes(message=message, actor=actor, changes=changes)
        return ReplyOutcome(message=message, ticket=ticket, held_changes=held)
    if changes:
        ticket = ticket_update(ticket_id=ticket.pk, actor=actor, version=ticket.version, **changes)
    return ReplyOutcome(message=message, ticket=ticket)
