"""Coaching suggestions on a desk customer's page (issue 13, item 6)."""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.incidents.problems import coaching_articles, coaching_list

register = template.Library()


@register.inclusion_tag("desk/_customer_coaching.html", takes_context=True)
def customer_coaching(context: dict[str, Any], customer_id: int) -> dict[str, Any]:
    """``{% customer_coaching customer.pk %}``: the open suggestions and the articles to send."""
    request = context["request"]
    found = coaching_list(actor=request.user, customer_id=customer_id)
    return {"rows": [(s, coaching_articles(suggestion=s)) for s in found], "request": request}
