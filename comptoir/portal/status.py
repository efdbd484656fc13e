"""The public status page (issue 13, item 2): open incidents and their updates, then those
resolved lately, in the visitor's language; no sign-in, and nothing internal (no agent, no
ticket, no customer: ``incidents.selectors.PublicIncident``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from comptoir.incidents.selectors import incidents_public


@require_GET
def status_page(request: HttpRequest) -> HttpResponse:
    current, resolved = incidents_public(language=get_language() or "en")
    return render(request, "portal/status.html", {"current": current, "resolved": resolved})
