"""Issue 12 on the desk: the "High effort" list (tickets whose customer-effort score reached
``COMPTOIR_EFFORT_HIGH``), newest first, keyset pages read off the flagged rows' partial index."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comptoir.voice.selectors import high_effort_list, voice_flags_attach

from .common import agent_required

PAGE_SIZE = 50


@agent_required
def high_effort(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("before", "")
    before = int(raw) if raw.isdigit() and len(raw) < 19 else None
    open_only = request.GET.get("all") != "1"
    tickets = high_effort_list(actor=request.user, before=before, open_only=open_only, limit=PAGE_SIZE)
    voice_flags_attach(tickets=tickets)
    more = tickets[-1].pk if len(tickets) == PAGE_SIZE else None
    return render(
        request, "desk/high_effort.html", {"tickets": tickets, "more": more, "open_only": open_only}
    )
