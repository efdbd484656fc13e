"""Turning a resolved ticket into a draft article (issue 11, item 2): one POST from its page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.common.exceptions import DomainError
from comptoir.knowledge.selectors import article_may_write
from comptoir.knowledge.services import article_from_ticket
from comptoir.tickets.context import ticket_article_draft

from .common import agent_required, ticket_or_404, ticket_redirect


@agent_required
@require_POST
def ticket_to_article(request: HttpRequest, reference: str) -> HttpResponse:
    """A draft internal article from the ticket's question and replies; its edit form next."""
    ticket = ticket_or_404(request, reference)
    if not article_may_write(actor=request.user):
        raise Forbidden(_("Only level-2 agents and supervisors may write articles."))
    try:
        article = article_from_ticket(
            actor=request.user, ticket_id=ticket.pk, **ticket_article_draft(ticket=ticket)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return ticket_redirect(request, ticket.reference)
    messages.success(
        request, _("Draft article created from %(reference)s.") % {"reference": ticket.reference}
    )
    return redirect("desk:kb_edit", article_id=article.pk)
