"""Inbound email throughput: raw RFC 822 bytes to stored, threaded ticket messages per second.

Usage (from the repository root):
    .venv/bin/python bench/inbound.py [--n 2000] [--rounds 3]

Two workloads, each on a freshly migrated SQLite database (WAL), one message at a time through
``comptoir.channels.email.ingest.email_receive`` (what the SMTP receiver, the IMAP poller and the
webhook all call: keep the raw bytes, parse, thread, store, queue the acknowledgment):
  - corpus: every message of ../shared/data/email-fixtures-flanker (48, many broken), repeated;
  - bilingual: N generated French/English messages, a third of them replies (In-Reply-To the
    acknowledgment, from the same sender) that must join their ticket.
Figures go to bench/results/inbound.json and bench/results/inbound.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "inbound"
RESULTS = ROOT / "bench" / "results"
CORPUS = ROOT.parent / "shared" / "data" / "email-fixtures-flanker" / "messages"


def setup() -> None:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings",
        COMPTOIR_DATA_DIR=str(WORK),
        COMPTOIR_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        COMPTOIR_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
    )
    os.environ.pop("COMPTOIR_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_db() -> None:
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    for f in WORK.glob("comptoir.sqlite3*"):
        f.unlink()
    call_command("migrate", verbosity=0)


def bilingual(n: int, seed: int) -> list[bytes]:
    from comptoir.console.demo_data import NAMES, ticket_text

    rng = random.Random(seed)
    out: list[bytes] = []
    sent: list[tuple[str, str, str]] = []  # (sender, message-id, subject)
    for i in range(n):
        lang = "fr" if rng.random() < 0.55 else "en"
        msg = EmailMessage()
        if sent and rng.random() < 0.33:
            sender, parent, subject = rng.choice(sent)
            msg["Subject"] = ("RE: " if lang == "en" else "Réf : ") + subject
            msg["In-Reply-To"] = parent
            msg["References"] = parent
            body = "Merci, voici la précision demandée." if lang == "fr" else "Thanks, here is the detail."
        else:
            name = rng.choice(NAMES[lang])
            sender = f"client{i}@example.test"
            subject, body = ticket_text(rng, lang, name)
            msg["Subject"] = subject
        msg["From"] = sender
        msg["To"] = "support@comptoir.localhost"
        msg["Date"] = format_datetime(datetime.now(UTC))
        mid = make_msgid(domain="example.test")
        msg["Message-ID"] = mid
        msg.set_content(body, charset="utf-8" if i % 2 else "iso-8859-1", cte="quoted-printable")
        out.append(bytes(msg))
        sent.append((sender, mid, str(msg["Subject"])))
    return out


def run(messages: list[bytes]) -> dict:
    from comptoir.channels.email.ingest import email_receive

    fresh_db()
    times = []
    start = time.perf_counter()
    for raw in messages:
        t = time.perf_counter()
        email_receive(raw=raw, source="bench")
        times.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - start
    from comptoir.intake.models import InboundRecord
    from comptoir.tickets.models import Message, Ticket

    by_status = {s: InboundRecord.objects.filter(status=s).count() for s in InboundRecord.Status.values}
    times.sort()
    return {
        "messages": len(messages),
        "per_second": round(len(messages) / elapsed, 1),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 1),
        "records": by_status,
        "tickets": Ticket.objects.count(),
        "messages_stored": Message.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus-repeat", type=int, default=5)
    args = parser.parse_args()
    setup()
    corpus_files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    corpus = [p.read_bytes() for p in corpus_files]
    # Repeats differ by one header so they are new messages, not redeliveries of the same bytes.
    corpus_run = [
        raw.replace(b"\n", f"\nX-Bench-Copy: {k}\n".encode(), 1)
        for k in range(args.corpus_repeat)
        for raw in corpus
    ]
    generated = bilingual(args.n, seed=7)
    results = {"corpus": [], "bilingual": []}
    for _ in range(args.rounds):
        results["corpus"].append(run(corpus_run))
        results["bilingual"].append(run(generated))
    summary = {
        name: {
            "median_per_second": statistics.median(r["per_second"] for r in rounds),
            "rounds": rounds,
        }
        for name, rounds in results.items()
    }
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, nproc={os.cpu_count()}",
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "command": "bench/inbound.py " + " ".join(sys.argv[1:]),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "inbound.json").write_text(json.dumps({"meta": meta, "summary": summary}, indent=2))
    lines = [
        "# Inbound email throughput",
        "",
        f"- Date: {meta['date']}; machine: {meta['machine']}; load average {meta['load_average']}",
        f"- Command: `.venv/bin/python {meta['command']}`; peak RSS {meta['peak_rss_mib']} MiB",
        "- Method: `email_receive` in-process, one message at a time (raw kept, parsed, threaded, "
        "stored, acknowledgment queued), SQLite WAL, fresh database per round.",
        "",
        "| workload | messages | msg/s (median of rounds) | p50 ms | p95 ms | records by status |",
        "|---|---|---|---|---|---|",
    ]
    for name, data in summary.items():
        last = data["rounds"][-1]
        lines.append(
            f"| {name} | {last['messages']} | **{data['median_per_second']}** | {last['p50_ms']} | "
            f"{last['p95_ms']} | {last['records']} |"
        )
    (RESULTS / "inbound.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
