"""The task worker, runnable in its own process (``comptoir worker``) or as threads of ``run``."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections
from django.utils.crypto import get_random_string

logger = logging.getLogger("comptoir.worker")


def sweep_once() -> None:
    """The periodic safety nets: sends the outbox lost, SLA checks whose task was lost."""
    from comptoir.outbox.services import delivery_sweep
    from comptoir.tickets.sla import sla_sweep

    for name, sweep in (("outbox", delivery_sweep), ("sla", sla_sweep)):
        try:
            sweep()
        except Exception:  # keep sweeping; the error is logged with its traceback
            logger.exception("%s sweep failed", name)


def _sweep_forever(stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            close_old_connections()
            sweep_once()
        finally:
            close_old_connections()


def make_task_worker(*, interval: float = 0.5):  # type: ignore[no-untyped-def]
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"], interval=interval, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=get_random_string(32),
        excluded_queue_names=[],
    )  # fmt: skip


def start_background(*, sweep_every: float = 60.0) -> threading.Event:
    """Start the task worker and the sweeps (outbox, SLA) as daemon threads; set the event to stop."""
    stop = threading.Event()
    worker = make_task_worker()

    def run_worker() -> None:
        while not stop.is_set():
            try:
                worker.run()
            except Exception:
                logger.exception("task worker crashed; restarting in 1 s")
                time.sleep(1)

    threading.Thread(target=run_worker, name="comptoir-tasks", daemon=True).start()
    threading.Thread(
        target=_sweep_forever, args=(stop, sweep_every), name="comptoir-sweep", daemon=True
    ).start()
    return stop
