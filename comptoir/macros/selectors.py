"""Reading macros: who sees which (shared ones, and one's own), and a macro filled for a ticket."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.common.exceptions import NotFound
from comptoir.tickets.models import Ticket

from .models import Macro
from .placeholders import placeholders_render


def macro_visible_to(*, actor: User) -> QuerySet[Macro]:
    """Shared macros and the actor's own; another agent's personal macros are never visible."""
    if not actor.is_active or not (actor.is_agent or actor.is_superuser):
        return Macro.objects.none()
    return Macro.objects.filter(Q(owner__isnull=True) | Q(owner=actor))


def macro_list(*, actor: User) -> list[Macro]:
    """The macros an agent may apply: shared first, then their own, by name."""
    macros = macro_visible_to(actor=actor).select_related("set_team", "owner")
    return sorted(macros, key=lambda m: (not m.is_shared, m.name.casefold(), m.pk))


def macro_get(*, actor: User, macro_id: int) -> Macro:
    """A macro the actor may see; anything else is "not found" (no hint that it exists)."""
    macro = macro_visible_to(actor=actor).select_related("set_team").filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("No such macro."), field="macro")
    return macro


def macro_may_manage(*, actor: User, macro: Macro) -> bool:
    """Shared macros are the supervisors' (and administrators'); a personal one, its owner's."""
    if macro.is_shared:
        return actor.supervises
    return macro.owner_id == actor.pk


def macro_text_for(*, actor: User, macro: Macro, ticket: Ticket) -> str:
    """The macro's text in the ticket's language, its placeholders filled for this ticket."""
    return placeholders_render(macro.body_for(ticket.language), ticket=ticket, actor=actor)
