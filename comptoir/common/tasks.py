"""Queueing a background task as part of the change it follows."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction

logger = logging.getLogger("comptoir.tasks")


def _same_database(task: Any) -> bool:
    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover - the database backend is a dependency
        return False
    return isinstance(task.get_backend(), DatabaseBackend)


def _immediate(task: Any) -> bool:
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task.get_backend(), ImmediateBackend)


def enqueue_with_change(
    task: Any,
    *,
    run_after: datetime | None = None,
    inline_if_immediate: bool = False,
    polled: bool = False,
    **kwargs: Any,
) -> None:
    """Queue ``task(**kwargs)`` so that it exists exactly when the caller's transaction commits.

    With the database task backend (the default) the task row is written inside the caller's
    transaction: one commit for the whole request, no window where the change exists without its
    task, and a rollback takes the task away with the change. Other backends (immediate in the
    tests, an external broker) are given the task after the commit; a failure there is logged,
    not raised: every task here has a sweep that redoes its work. In the transaction, a failed
    insert fails the change with it, as any other row would. ``inline_if_immediate``: with a
    backend that runs tasks at enqueue (the tests'), run it now, inside the transaction, as if a
    worker had been instantly there (for work whose result the caller's next read expects).
    ``polled``: the row the task would act on is itself the queue (an outbox delivery, a ticket's
    next SLA instant), which the worker's pumps read through an index (``common.jobs``); with the
    database backend nothing more is written, and no task row costs the request or the worker.
    """
    if polled and _same_database(task):
        return
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # a backend that runs at once cannot wait: the sweeps fire instead
        task = task.using(run_after=run_after)

    def enqueue() -> None:
        try:
            task.enqueue(**kwargs)
        except Exception:
            logger.exception("could not enqueue %s(%s); its sweep will catch up", task.name, kwargs)

    in_transaction = transaction.get_connection().in_atomic_block
    if in_transaction and (_same_database(task) or (inline_if_immediate and _immediate(task))):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(enqueue)
