"""Outbox sending rate: deliveries queued in the database, drained by the real worker over SMTP.

Usage (from the repository root):
    .venv/bin/python bench/outbox.py [--n 2000] [--rounds 3] [--smtp-delay-ms 0,20]

Each round, on a freshly migrated SQLite database (WAL) with the database task backend:
  1. N bilingual deliveries are enqueued through ``delivery_enqueue`` (one task row each, as
     intake and replies do), in transactions of 50;
  2. the project's worker loop (``comptoir.console.workers.start_background``: the django-tasks-db
     worker thread plus the sweep thread, what ``comptoir run`` starts) drains them against a real
     SMTP server (aiosmtpd on localhost, optionally answering DATA after a delay like a remote
     server would);
  3. the drain time is from the worker's start to the last delivery ``sent``; deliveries/s is N
     over it. Messages received, duplicates (a Message-ID seen twice) and task rows left are counted.
Figures go to bench/results/outbox.json and bench/results/outbox.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "outbox"
RESULTS = ROOT / "bench" / "results"


class Inbox:
    """aiosmtpd handler: keeps each Message-ID; answers DATA after ``delay`` seconds."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.delay:
            await asyncio.sleep(self.delay)
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.ids.append(line.split(b":", 1)[1].strip().decode())
                break
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(port: int) -> None:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings",
        COMPTOIR_DATA_DIR=str(WORK),
        COMPTOIR_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        COMPTOIR_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        COMPTOIR_EMAIL_URL=f"smtp://127.0.0.1:{port}",
    )
    os.environ.pop("COMPTOIR_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.getLogger("comptoir.outbox").setLevel(logging.ERROR)


def fresh_db() -> None:
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    for f in WORK.glob("comptoir.sqlite3*"):
        f.unlink()
    call_command("migrate", verbosity=0)


def enqueue(n: int, seed: int) -> float:
    from django.db import transaction

    from comptoir.console.demo_data import NAMES, ticket_text
    from comptoir.outbox.services import delivery_enqueue

    rng = random.Random(seed)
    start = time.perf_counter()
    for first in range(0, n, 50):
        with transaction.atomic():
            for i in range(first, min(n, first + 50)):
                lang = "fr" if rng.random() < 0.55 else "en"
                subject, body = ticket_text(rng, lang, rng.choice(NAMES[lang]))
                delivery_enqueue(
                    key=f"bench:{seed}:{i}", kind="ack", recipient=f"client{i}@example.test",
                    subject=f"[CPT-{i:06d}] {subject}", body=body * 2,
                )  # fmt: skip
    return time.perf_counter() - start


def drain(n: int, inbox: Inbox, *, sweep_every: float, timeout: float) -> dict:
    from django_tasks_db.models import DBTaskResult

    from comptoir.console.workers import start_background
    from comptoir.outbox.models import Delivery
    from comptoir.outbox.selectors import outbox_backlog

    before = outbox_backlog()
    start = time.perf_counter()
    background = start_background(sweep_every=sweep_every, interval=0.05)
    sent = 0
    try:
        while time.perf_counter() - start < timeout:
            sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
            if sent >= n:
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - start
    finally:
        background.stop(timeout=30)
    ids = Counter(inbox.ids)
    return {
        "deliveries": n,
        "pending_at_start": before.pending,
        "sent": sent,
        "drain_s": round(elapsed, 2),
        "per_second": round(sent / elapsed, 1),
        "received": len(inbox.ids),
        "duplicates": sum(c - 1 for c in ids.values() if c > 1),
        "task_rows_left_ready_or_running": DBTaskResult.objects.filter(
            status__in=["READY", "RUNNING"]
        ).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smtp-delay-ms", default="0,20", help="comma-separated DATA delays to measure")
    parser.add_argument("--sweep-every", type=float, default=None, help="default: COMPTOIR_SWEEP_EVERY")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    setup(port)
    from django.conf import settings

    sweep_every = settings.COMPTOIR_SWEEP_EVERY if args.sweep_every is None else args.sweep_every
    summary = {}
    try:
        for delay_ms in [int(d) for d in args.smtp_delay_ms.split(",")]:
            inbox.delay = delay_ms / 1000
            rounds = []
            for r in range(args.rounds):
                fresh_db()
                inbox.ids.clear()
                enqueue_s = enqueue(args.n, seed=r)
                result = drain(args.n, inbox, sweep_every=sweep_every, timeout=args.timeout)
                result["enqueue_per_second"] = round(args.n / enqueue_s, 1)
                rounds.append(result)
                print(f"smtp delay {delay_ms} ms, round {r + 1}: {result}", flush=True)
            summary[f"smtp_delay_{delay_ms}ms"] = {
                "smtp_delay_ms": delay_ms,
                "median_per_second": statistics.median(x["per_second"] for x in rounds),
                "median_drain_s": statistics.median(x["drain_s"] for x in rounds),
                "rounds": rounds,
            }
    finally:
        controller.stop()

    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, nproc={os.cpu_count()}",
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "command": "bench/outbox.py " + " ".join(sys.argv[1:]),
        "sweep_every_s": sweep_every,
        "lease_s": settings.COMPTOIR_OUTBOX_LEASE,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "outbox.json").write_text(json.dumps({"meta": meta, "summary": summary}, indent=2) + "\n")
    lines = [
        "# Outbox sending rate",
        "",
        f"- Date: {meta['date']}; machine: {meta['machine']}; load average {meta['load_average']}",
        f"- Command: `.venv/bin/python {meta['command']}`; peak RSS {meta['peak_rss_mib']} MiB",
        "- Method: N deliveries enqueued with `delivery_enqueue` (a django-tasks-db row each), then "
        "drained by the project's worker loop (task worker thread + sweep thread every "
        f"{sweep_every:g} s, lease {meta['lease_s']} s) against aiosmtpd (in this process) on "
        "localhost: a task opens an SMTP session per delivery, the sweep one per batch; SQLite WAL, fresh database per round. Drain time: worker start "
        "to the last delivery `sent`.",
        "",
        "| SMTP DATA delay | deliveries | deliveries/s (median) | drain s (median) | enqueue/s | "
        "received | duplicates | task rows left |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for data in summary.values():
        last = data["rounds"][-1]
        lines.append(
            f"| {data['smtp_delay_ms']} ms | {last['deliveries']} | **{data['median_per_second']}** | "
            f"{data['median_drain_s']} | {last['enqueue_per_second']} | {last['received']} | "
            f"{last['duplicates']} | {last['task_rows_left_ready_or_running']} |"
        )
    lines += ["", "Figures move with the machine's load (above): compare only runs made side by side."]
    (RESULTS / "outbox.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
