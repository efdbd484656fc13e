"""Search on the desk: one box (in the header of every desk page) and a results page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comptoir.search.selectors import PAGE_SIZE, search

from .common import agent_required


@agent_required
def search_view(request: HttpRequest) -> HttpResponse:
    """``/desk/search/?q=``: tickets then customers, best first, matched words highlighted."""
    q = request.GET.get("q", "")[:500]
    try:
        offset = int(request.GET.get("offset", "0"))
    except ValueError:
        offset = 0
    results = search(actor=request.user, q=q, limit=PAGE_SIZE, offset=offset)  # type: ignore[arg-type]
    return render(request, "desk/search.html", {"q": q, "search_q": q, "results": results})
