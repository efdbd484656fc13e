"""Periodic jobs: each app registers its own, the worker runs whatever is registered.

An app calls ``register_job`` from its ``AppConfig.ready()`` with the dotted path of a function
that takes no argument (a sweep: the outbox's lost sends, SLA clocks whose task was lost, inbound
messages stored but never processed). The path is imported only when the job first runs, so
registering costs a web process nothing. ``comptoir worker`` and ``comptoir run`` sweep every
``COMPTOIR_SWEEP_EVERY`` seconds and run the jobs that are due (``JobRunner``); the worker knows
no app. Every job must be safe to run again at any moment: a sweep is a safety net.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils.module_loading import import_string

logger = logging.getLogger("comptoir.worker")


@dataclass(frozen=True)
class Job:
    name: str
    target: str  # dotted path of a function called with no argument
    every: timedelta | None = None  # None: at every sweep

    def run(self) -> object:
        func: Callable[[], object] = import_string(self.target)  # a dictionary lookup once imported
        return func()


_JOBS: dict[str, Job] = {}


def register_job(name: str, target: str, *, every: timedelta | None = None) -> None:
    """Run ``target`` (a dotted path) periodically: at every sweep, or at most once per ``every``.

    Registering the same name again replaces it (``ready()`` may run more than once in tests).
    """
    if every is not None and every <= timedelta(0):
        raise ValueError(f"job {name!r}: every must be positive")
    _JOBS[name] = Job(name=name, target=target, every=every)


def registered_jobs() -> list[Job]:
    """The jobs in registration order (the order of INSTALLED_APPS)."""
    return list(_JOBS.values())


class JobRunner:
    """Runs the registered jobs that are due; a failing job is logged and the others still run.

    Each runner remembers when it last ran each job (monotonic clock): a new process runs every
    job at its first sweep, so a restart recovers what the last process left.
    """

    def __init__(self, *, default_every: float | None = None) -> None:
        """``default_every``: the period, in seconds, of jobs registered without one (None: at
        every call of ``run_due``)."""
        self._last: dict[str, float] = {}
        self.default_every = default_every

    def tick(self) -> float:
        """How often ``run_due`` must be called to honour the shortest period."""
        periods = [j.every.total_seconds() for j in registered_jobs() if j.every is not None]
        if self.default_every is not None:
            periods.append(self.default_every)
        return min(periods, default=self.default_every or 1.0)

    def run_due(self, *, now: float | None = None, force: bool = False) -> list[str]:
        """Run what is due (everything with ``force``); returns the names of the jobs that ran."""
        now = time.monotonic() if now is None else now
        ran = []
        for job in registered_jobs():
            last = self._last.get(job.name)
            every = job.every.total_seconds() if job.every is not None else self.default_every
            waiting = every is not None and last is not None and now - last < every
            if waiting and not force:
                continue
            self._last[job.name] = now
            ran.append(job.name)
            try:
                job.run()
            except Exception:  # keep sweeping; the error is logged with its traceback
                logger.exception("%s sweep failed", job.name)
        return ran
