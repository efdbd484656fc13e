"""Answer every question (issue 11): the customer's questions beside the reply form.

htmx posts the draft as the agent types and swaps the box; without JavaScript the box's button
posts the reply form here and the ticket page comes back with the draft kept and the box filled.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from comptoir.search.reply_check import reply_check

from ..forms import MessageForm
from .common import agent_required, ticket_or_404
from .tickets import _ticket_context

MAX_DRAFT = 100_000


@agent_required
@require_POST
def ticket_questions(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_or_404(request, reference)
    draft = request.POST.get("body", "")[:MAX_DRAFT]
    questions = reply_check(ticket=ticket, draft=draft)
    if request.headers.get("HX-Request"):
        return render(request, "desk/_questions_check.html", {"ticket": ticket, "questions_check": questions})
    form = MessageForm(request.POST)
    ctx = _ticket_context(request, ticket, message_form=form, questions_check=questions)
    return render(request, "desk/ticket.html", ctx)
