"""The worker's side of suggestions (issue 11): embedding is never done in a request."""

from __future__ import annotations

from django_tasks import task


@task()
def vector_index_ticket_task(ticket_id: int) -> bool:
    """A ticket resolved, closed or reopened: its vector written or taken out."""
    from .suggestions import vector_index_ticket

    return vector_index_ticket(ticket_id)


@task()
def vector_index_article_task(article_id: int) -> bool:
    """An article published, edited or unpublished: its vector written or taken out."""
    from .suggestions import vector_index_article

    return vector_index_article(article_id)


@task()
def ticket_suggestions_task(ticket_id: int) -> bool:
    """Suggestions of a ticket opened without them (older than the feature)."""
    from .suggestions import ticket_suggestions_compute

    return ticket_suggestions_compute(ticket_id)
