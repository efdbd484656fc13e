"""The outbox through the real database task worker (django-tasks-db), as production runs it.

tests/conftest.py runs tasks at enqueue (immediate backend); here tasks are rows in the database
and the project's worker loop (``comptoir.console.workers``, what ``comptoir run`` and
``comptoir worker`` start) claims and runs them in its own threads.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comptoir.console.workers import LOST, start_background, sweep_once, task_rows_prune, task_rows_recover
from comptoir.outbox.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _database_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _wait(predicate, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.fault("issue8-9")
def test_send_killed_mid_way_is_sent_once_when_the_worker_starts(smtp_out, make_ticket):
    """As a SIGKILL leaves them: delivery `sending` (lease expired), the task it was running RUNNING.

    (Deliveries have no task row of their own: the worker's outbox pump reads the outbox; the
    dead worker was running the ticket's enrichment task.)"""
    ticket = make_ticket(email="killed@example.test")
    delivery = Delivery.objects.get(ticket=ticket)
    assert not DBTaskResult.objects.filter(task_path__endswith="delivery_send_task").exists()
    task_row = DBTaskResult.objects.get(task_path__endswith="ticket_enrich_task")
    assert task_row.status == TaskResultStatus.READY and smtp_out.messages == []
    now = timezone.now()
    # The dead worker claimed the task and the delivery 90 s ago (60 s lease), then died.
    DBTaskResult.objects.filter(pk=task_row.pk).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(minutes=11), worker_ids=["killed"]
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, attempts=1, next_attempt_at=now - timedelta(seconds=30)
    )

    background = start_background(sweep_every=0.2, interval=0.05)
    try:
        assert _wait(lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT, 10)
        time.sleep(0.6)  # a few more sweeps and polls: nothing may send it again
    finally:
        background.stop()

    assert [m["Message-ID"] for m in smtp_out.messages] == [delivery.message_id]
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    task_row.refresh_from_db()
    assert task_row.status == TaskResultStatus.FAILED and task_row.exception_class_path == LOST
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()


@pytest.mark.fault("issue8-9")
def test_lease_bounds_the_wait_after_a_crash(smtp_out, settings, make_ticket):
    """A sender dies right after claiming: the running worker resends once the lease expires."""
    settings.COMPTOIR_OUTBOX_LEASE = 1
    ticket = make_ticket(email="lease@example.test")
    delivery = Delivery.objects.get(ticket=ticket)
    DBTaskResult.objects.all().delete()  # its task died with the process
    claimed = Delivery.objects.filter(pk=delivery.pk, status="pending").update(
        status=Delivery.Status.SENDING, attempts=1, next_attempt_at=timezone.now() + timedelta(seconds=1)
    )
    assert claimed == 1
    sweep_once()  # lease still valid: a sender may be at work, nothing is sent
    assert smtp_out.messages == []

    started = time.monotonic()
    background = start_background(sweep_every=0.2, interval=0.05)
    try:
        assert _wait(lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT, 10)
    finally:
        background.stop()
    assert time.monotonic() - started < 5  # the lease, not minutes
    assert [m["Message-ID"] for m in smtp_out.messages] == [delivery.message_id]


@pytest.mark.fault("issue8-9")
def test_worker_drains_a_backlog_through_task_rows(smtp_out, make_ticket):
    for i in range(12):
        make_ticket(email=f"client{i}@example.test")
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() >= 12
    background = start_background(sweep_every=30, interval=0.05)
    try:
        assert _wait(lambda: not Delivery.objects.exclude(status=Delivery.Status.SENT).exists(), 20)
    finally:
        background.stop()
    assert sorted(m["To"] for m in smtp_out.messages) == sorted(f"client{i}@example.test" for i in range(12))


@pytest.mark.fault("issue8-9")
def test_task_rows_lost_are_failed_and_old_ones_pruned(settings, make_ticket):
    settings.COMPTOIR_TASK_LOST_AFTER = 600
    settings.COMPTOIR_TASK_RETENTION_DAYS = 7
    for i in range(4):
        make_ticket(email=f"rows{i}@example.test")
    rows = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert len(rows) >= 4
    now = timezone.now()
    lost, running, old, recent = rows[:4]
    rows = DBTaskResult.objects
    rows.filter(pk=lost.pk).update(status="RUNNING", started_at=now - timedelta(minutes=11))
    rows.filter(pk=running.pk).update(status="RUNNING", started_at=now - timedelta(seconds=30))
    rows.filter(pk=old.pk).update(status="SUCCESSFUL", finished_at=now - timedelta(days=8))
    rows.filter(pk=recent.pk).update(status="SUCCESSFUL", finished_at=now - timedelta(days=1))

    assert task_rows_recover(now=now) == 1
    assert DBTaskResult.objects.get(pk=lost.pk).status == "FAILED"
    assert DBTaskResult.objects.get(pk=running.pk).status == "RUNNING"  # may still be at work
    assert task_rows_prune(now=now) == 1
    assert not DBTaskResult.objects.filter(pk=old.pk).exists()
    assert DBTaskResult.objects.filter(pk=recent.pk).exists()
    # The lost row, failed now, is kept for the retention period too.
    assert task_rows_prune(now=now + timedelta(days=8)) >= 2


@pytest.mark.fault("issue8-9")
def test_sweep_drains_a_backlog_over_one_smtp_session(settings, make_ticket):
    from aiosmtpd.controller import Controller

    from comptoir.outbox.services import delivery_sweep

    from ..support import Inbox, free_port

    class Sessions(Inbox):
        peers: list = []

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            self.peers.append(session.peer)
            return await super().handle_DATA(server, session, envelope)

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no task sends
    for i in range(6):
        make_ticket(email=f"batch{i}@example.test")
    handler = Sessions()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        assert delivery_sweep() == 6
    finally:
        controller.stop()
    assert len(handler.messages) == 6 and len(set(handler.peers)) == 1
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
