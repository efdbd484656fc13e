"""The task worker, runnable in its own process (``comptoir worker``) or as threads of ``run``."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string

from comptoir.common.jobs import JobRunner

logger = logging.getLogger("comptoir.worker")

LOST = "comptoir.console.workers.WorkerLost"
PRUNE_BATCH = 5000  # task rows deleted per sweep at most: short write transactions on SQLite


def task_rows_recover(*, now: datetime | None = None) -> int:
    """Mark failed the task rows still RUNNING long after their start: their worker died.

    django-tasks-db never revisits a RUNNING row, so a worker killed mid-task leaves it RUNNING for
    good. The work itself is not lost: every Comptoir task is safe to repeat and the sweeps redo
    it (the outbox resends a delivery whose lease expired, the SLA sweep re-checks clocks).
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    lost_after = settings.COMPTOIR_TASK_LOST_AFTER
    count = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=lost_after)
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=LOST,
        traceback=f"Worker lost: still RUNNING {lost_after} s after it started (process killed?).",
    )
    if count:
        logger.warning("%s task(s) left RUNNING by a dead worker marked failed", count)
    return count


def task_rows_prune(*, now: datetime | None = None) -> int:
    """Delete finished task rows older than COMPTOIR_TASK_RETENTION_DAYS, a bounded batch a sweep."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.COMPTOIR_TASK_RETENTION_DAYS)
    finished = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    old = list(finished.values_list("pk", flat=True)[:PRUNE_BATCH])
    if not old:
        return 0
    deleted, _by_model = DBTaskResult.objects.filter(pk__in=old).delete()
    return deleted


def sweep_once() -> None:
    """Every periodic job the apps registered (``comptoir.common.jobs``) once, whatever its period."""
    JobRunner().run_due(force=True)


def _sweep_forever(stop: threading.Event, every: float) -> None:
    """Run the jobs at once (a restart recovers what the last process left), then each when due:
    the pumps (outbox, SLA clocks) at their short period, the other sweeps every ``every`` s."""
    runner = JobRunner(default_every=every)
    tick = runner.tick()
    while True:
        try:
            close_old_connections()
            runner.run_due()
        finally:
            close_old_connections()
        if stop.wait(tick):
            connections.close_all()  # this thread's connections: nothing left open behind it
            return


def make_task_worker(*, interval: float = 0.5):  # type: ignore[no-untyped-def]
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"], interval=interval, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id=get_random_string(32),
        excluded_queue_names=[],
    )  # fmt: skip


class Background:
    """The task worker and the sweeps running as daemon threads of this process."""

    def __init__(self, *, sweep_every: float, interval: float) -> None:
        self._stop = threading.Event()
        self.worker = make_task_worker(interval=interval)
        self.threads = [
            threading.Thread(target=self._run_worker, name="comptoir-tasks", daemon=True),
            threading.Thread(
                target=_sweep_forever, args=(self._stop, sweep_every), name="comptoir-sweep", daemon=True
            ),
        ]
        for thread in self.threads:
            thread.start()

    def _run_worker(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self.worker.run()
                except Exception:
                    logger.exception("task worker crashed; restarting in 1 s")
                    time.sleep(1)
        finally:
            connections.close_all()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop after the task in progress; wait for both threads."""
        self._stop.set()
        self.worker.running = False
        for thread in self.threads:
            thread.join(timeout)


def start_background(*, sweep_every: float | None = None, interval: float = 0.5) -> Background:
    """Start the task worker and the periodic jobs the apps registered as daemon threads."""
    every = settings.COMPTOIR_SWEEP_EVERY if sweep_every is None else sweep_every
    return Background(sweep_every=every, interval=interval)
