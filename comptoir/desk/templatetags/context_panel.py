"""The customer's context panel and the article links on a desk ticket page (issue 11).

Inclusion tags, so the ticket page gains them with one ``{% include %}``-like line each and the
ticket view stays as it is; the reads are ``tickets.context`` and ``knowledge.selectors``.
"""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.knowledge.models import Article
from comptoir.knowledge.selectors import (
    article_for_ids,
    article_may_write,
    article_ticket_links,
    articles_for_ticket,
)
from comptoir.tickets.context import customer_context, ticket_may_become_article
from comptoir.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("desk/_context_panel.html", takes_context=True)
def customer_context_panel(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """``{% customer_context_panel ticket %}``: a fixed number of queries (see tickets.context)."""
    actor = context["request"].user
    panel = customer_context(actor=actor, ticket=ticket)
    found = article_for_ids(actor=actor, ids=panel.article_ids) if panel.article_ids else {}
    return {
        "request": context["request"], "ticket": ticket, "panel": panel,
        "recommended": [found[pk] for pk in panel.article_ids if pk in found],
        "ticket_articles": articles_for_ticket(actor=actor, ticket_id=ticket.pk),
        "may_make_article": article_may_write(actor=actor) and ticket_may_become_article(ticket),
        "csrf_token": context.get("csrf_token"),
    }  # fmt: skip


@register.inclusion_tag("desk/_article_tickets.html")
def article_tickets(article: Article) -> dict[str, Any]:
    """``{% article_tickets article %}``: the tickets an article solved."""
    return {"links": article_ticket_links(article=article)}
