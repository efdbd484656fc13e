"""Inbound messages kept with an error or left waiting, and their replay."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.channels.email.ingest import email_replay
from comptoir.common.exceptions import NotFound
from comptoir.common.ids import parse_row_id
from comptoir.intake.selectors import (
    RECEIVED_STALE_AFTER,
    inbound_failed,
    inbound_status_counts,
    inbound_waiting,
)

from .common import agent_required


@agent_required
def inbound_failures(request: HttpRequest) -> HttpResponse:
    """Kept failures and records waiting too long, with replay; an unknown record is a 404.
    Supervisors only (a 403 to others): the records are any customer's raw mail, whatever
    tickets the agent may see."""
    if not request.user.supervises:
        raise PermissionDenied
    if request.method == "POST":
        record_id = parse_row_id(request.POST.get("record"))
        try:
            outcome = email_replay(record_id=record_id or 0)
        except NotFound:  # not a number, or no such email
            raise Http404 from None
        if outcome.result is not None:
            messages.success(
                request, _("Replayed into %(reference)s.") % {"reference": outcome.result.ticket.reference}
            )
        else:
            messages.error(request, _("Still failing: %(reason)s") % {"reason": outcome.error})
        return redirect("desk:inbound")
    context = {
        "records": inbound_failed(),
        "waiting": inbound_waiting(),
        "counts": inbound_status_counts(),
        "stale_minutes": int(RECEIVED_STALE_AFTER.total_seconds() // 60),
    }
    return render(request, "desk/inbound.html", context)
