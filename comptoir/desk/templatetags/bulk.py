"""What the bulk toolbar (``desk/_bulk_bar.html``) and the ticket page's merge, split and snooze
controls need: agents, teams, categories, statuses; the last undoable bulk change; a ticket's
latest merge.

Tags rather than view context, so that any list may include the bar without its view knowing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from comptoir.common.config import cached
from comptoir.macros.placeholders import PLACEHOLDERS, braced
from comptoir.macros.selectors import macro_list
from comptoir.routing.selectors import team_list
from comptoir.tickets import selectors as tickets
from comptoir.tickets.merge import MERGE_UNDO_WINDOW, merge_latest
from comptoir.tickets.models import Ticket, TicketMerge

register = template.Library()

UNDO_KEY = "desk_bulk_undo"  # as views.bulk.UNDO_KEY (templatetags do not import views)


@register.simple_tag(takes_context=True)
def bulk_choices(context: template.Context) -> dict[str, Any]:
    """The choices of the bulk toolbar's value fields, a fresh submission token (a repeated bulk
    reply lands once) and the last bulk change this agent may still undo."""
    request = context.get("request")
    undo = None
    stored = request.session.get(UNDO_KEY) if request is not None else None
    if stored:
        until = datetime.fromisoformat(stored["until"])
        if until > timezone.now():
            undo = {"id": stored["id"], "until": until}
    # Teams and categories change a few times a month: the per-process configuration cache
    # spares every list page two queries. Agents come from the autocomplete, as typed.
    return {
        "teams": cached("routing", lambda: list(team_list()), key="bulk-teams"),
        "categories": cached("routing", lambda: list(tickets.category_list()), key="bulk-categories"),
        "statuses": Ticket.Status.choices,
        "priorities": Ticket.Priority.choices,
        "submission": uuid.uuid4().hex,
        "undo": undo,
        # Offer only what the agent may do: choosing who holds a ticket is the pick permission
        # (``permissions._role_allows``, "assign"); level-1 agents take "Next ticket" instead.
        "may_assign": bool(getattr(getattr(request, "user", None), "may_pick", False)),
        # A macro for "Reply to each": each ticket gets its text in the ticket's language.
        "macros": macro_list(actor=request.user) if request is not None else [],
        "placeholders": braced(PLACEHOLDERS),
    }


@register.simple_tag
def ticket_merge_undoable(ticket: Ticket) -> TicketMerge | None:
    """The merge this ticket took part in that an agent may still try to undo (the service
    checks the rest: no new message since)."""
    merge = merge_latest(ticket_id=ticket.pk)
    if merge is None or merge.created_at + MERGE_UNDO_WINDOW < timezone.now():
        return None
    return merge
