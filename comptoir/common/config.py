"""Per-process caches of what administrators configure (rules, categories, teams, SLA policies).

Intake reads these on every request and they change a few times a month, so each process keeps
its own copy instead of querying (and compiling SQL) every time. A change is seen at once by the
process that made it, and within ``CHECK_EVERY`` seconds by every other one (web processes,
workers): each checks the shared generation counters at most that often, one small query.

Invalidation is by ``post_save``/``post_delete`` (see ``invalidate_on_change``), so the admin site,
the desk and the CLI all count; code that changes such rows with ``QuerySet.update`` calls
``invalidate`` itself. Cached objects are shared between threads: read them, never change them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import F, Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
CHECK_EVERY = 1.0

_lock = threading.Lock()
_values: dict[str, tuple[int, Any]] = {}
_generations: dict[str, int] = {}
_checked_at = float("-inf")
_local = threading.local()  # names this thread changed in a transaction not yet committed


def _pending() -> set[str]:
    """Names this thread invalidated in a transaction whose commit it has not seen yet."""
    if not hasattr(_local, "pending"):
        _local.pending = set()
    return _local.pending


def _generation(name: str) -> int:
    global _checked_at, _generations
    now = time.monotonic()
    if now - _checked_at >= CHECK_EVERY:
        from .models import ConfigGeneration

        _generations = dict(ConfigGeneration.objects.values_list("name", "value"))
        _checked_at = now
    return _generations.get(name, 0)


def cached(name: str, load: Callable[[], T], *, key: str = "") -> T:
    """``load()``'s value, computed once per process until configuration ``name`` changes
    (``key`` tells apart several values derived from the same configuration)."""
    generation = _generation(name)
    slot = f"{name}\x00{key}"
    hit = _values.get(slot)
    if hit is not None and hit[0] == generation:
        return hit[1]
    value = load()
    if name in _pending():
        if transaction.get_connection().in_atomic_block:
            return value  # this thread's own uncommitted change: use it, do not keep it
        _pending().discard(name)  # that transaction is over (committed or rolled back)
    with _lock:
        _values[slot] = (generation, value)
    return value


def _drop(name: str) -> None:
    with _lock:
        for slot in [s for s in _values if s.partition("\x00")[0] == name]:
            _values.pop(slot, None)


def invalidate(*names: str) -> None:
    """Configuration ``names`` changed: drop this process's copies, bump the shared counters."""
    from .models import ConfigGeneration

    for name in names:
        _drop(name)
        _pending().add(name)
        if not ConfigGeneration.objects.filter(name=name).update(value=F("value") + 1):
            ConfigGeneration.objects.get_or_create(name=name, defaults={"value": 1})
        # A copy loaded by another thread before the commit would be stale: drop again after it.
        transaction.on_commit(partial(_committed, name))


def _committed(name: str) -> None:
    _drop(name)
    _pending().discard(name)


def reset() -> None:
    """Forget everything (tests: a rolled-back test must not leave its rows cached)."""
    global _checked_at
    with _lock:
        _values.clear()
        _generations.clear()
        _checked_at = float("-inf")
    _pending().clear()


def invalidate_on_change(models: Iterable[type[Model]], *names: str) -> None:
    """Connect saves and deletes of ``models`` to ``invalidate(*names)`` (call from ``ready``)."""

    def receiver(sender: type[Model], **kwargs: Any) -> None:
        if kwargs.get("raw"):  # fixtures being loaded
            return
        invalidate(*names)

    for model in models:
        uid = f"comptoir-config:{model._meta.label}:{','.join(names)}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":delete")
