"""Triage reads: the triage queue, a ticket's decision, with its label named for staff."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from comptoir.tickets.models import Category, Ticket

from .models import TriageDecision


def _slug(label: str) -> str:
    return label.lower()[:50]


def _label_names(labels: Iterable[str]) -> tuple[dict[str, Category], dict[str, Category | Promise | str]]:
    """Categories named by these labels (one query), and what staff read for each label.

    A label with a category reads as the category's name, in the reader's language when the page
    renders; ``other`` reads as "Out of scope"; a label no category has reads as itself.
    """
    from comptoir.nlp.classifier import OUT_OF_SCOPE_LABEL  # lazily: numpy is only needed to classify

    slugs = {_slug(label) for label in labels if label}
    categories = {c.slug: c for c in Category.objects.filter(slug__in=slugs)} if slugs else {}
    names: dict[str, Category | Promise | str] = {}
    for slug in slugs:
        if slug in categories:
            names[slug] = categories[slug]
        elif slug == OUT_OF_SCOPE_LABEL:
            names[slug] = _("Out of scope")
        else:
            names[slug] = slug
    return categories, names


def triage_queue(*, limit: int = 50) -> list[Ticket]:
    """Open tickets triage could not classify with confidence, oldest first.

    Each ticket carries ``predicted_category``: the category its best guess names (None when no
    category has that label), and its decision ``label_name``: what staff read for the guess.
    """
    ids = list(
        TriageDecision.objects.filter(needs_review__in=[True], ticket__is_open__in=[True])
        .order_by("id")
        .values_list("ticket_id", flat=True)[:limit]
    )
    tickets = Ticket.objects.filter(pk__in=ids).select_related("customer", "team", "triage")
    order = {pk: i for i, pk in enumerate(ids)}
    rows = sorted(tickets, key=lambda t: order[t.pk])
    categories, names = _label_names(t.triage.label for t in rows)
    # Display attributes attached for the template, not model fields.
    for t in rows:
        slug = _slug(t.triage.label)
        t.predicted_category = categories.get(slug)  # type: ignore[attr-defined]
        t.triage.label_name = names.get(slug, "")  # type: ignore[attr-defined]
    return rows


def triage_for(*, ticket_id: int) -> TriageDecision | None:
    """A ticket's triage decision, with ``label_name``: its label as staff read it."""
    decision = TriageDecision.objects.filter(ticket_id=ticket_id).first()
    if decision is not None:
        _categories, names = _label_names([decision.label])
        decision.label_name = names.get(_slug(decision.label), "")  # type: ignore[attr-defined]
    return decision


def triage_guess_category(*, ticket_id: int) -> Category | None:
    """The category a ticket's triage guess names (None: no guess, or a label no category has)."""
    label = TriageDecision.objects.filter(ticket_id=ticket_id).values_list("label", flat=True).first()
    if not label:
        return None
    return Category.objects.select_related("team").filter(slug=_slug(label)).first()
