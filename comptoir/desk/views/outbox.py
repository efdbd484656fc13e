"""Outgoing messages, for supervisors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comptoir.outbox.selectors import outbox_backlog, outbox_page

from .common import agent_required


@agent_required
def outbox(request: HttpRequest) -> HttpResponse:
    """Supervisors only: outgoing messages carry customers' links (masked here all the same)."""
    if not request.user.supervises:
        raise PermissionDenied
    return render(request, "desk/outbox.html", {**outbox_page(), "backlog": outbox_backlog()})
