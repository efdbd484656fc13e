"""Issue 12, item 5: the voice-of-customer log's latency with N entries (default 200,000).

Usage (from the repository root):
    .venv/bin/python bench/voc.py [--entries 200000] [--customers 20000] [--runs 20]

A fresh SQLite database (WAL) in a temporary folder, migrated, loaded with bulk inserts (comments
drawn from a bilingual phrase list, 1 in 1,000 carrying a rare word). Cases: ``surveys.selectors.
voc_list`` (newest first, one customer, a frequent word, a rare word, the 50th page by cursor), and
the full ``/desk/voc/`` page through Django's test client as an agent. p50/p95 wall time over
``--runs`` after two warm-up runs. Writes bench/results/voc.json and bench/results/voc.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PHRASES = [
    "Le technicien était très aimable",
    "Trop d’attente au téléphone",
    "The invoice was wrong twice",
    "Fast answer, thank you",
    "Facture incompréhensible, encore",
    "Would like a callback in the morning",
    "Le portail est lent le soir",
    "Nobody told me the parcel was lost",
]


def setup(data_dir: str) -> None:
    os.environ.update(
        COMPTOIR_DATA_DIR=data_dir, COMPTOIR_SECRET_KEY="bench-only-voc",  # noqa: S106
        COMPTOIR_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
    )  # fmt: skip
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(entries: int, customers: int) -> tuple[int, object]:
    from django.db import connection
    from django.utils import timezone

    from comptoir.accounts.models import User
    from comptoir.customers.models import Customer
    from comptoir.surveys.models import VocEntry
    from comptoir.surveys.services import fold

    rng = random.Random(12)
    Customer.objects.bulk_create([Customer(name=f"Client {n}") for n in range(customers)], batch_size=5000)
    ids = list(Customer.objects.values_list("pk", flat=True))
    names = dict(Customer.objects.values_list("pk", "name"))
    start = timezone.now() - timedelta(days=365)
    batch = []
    for n in range(entries):
        customer = rng.choice(ids)
        comment = rng.choice(PHRASES) + (" zygomatique" if n % 1000 == 0 else "")
        batch.append(
            VocEntry(
                customer_id=customer,
                comment=comment,
                search_text=fold(f"{comment} {names[customer]}"),
                created_at=start + timedelta(seconds=n * 120),
            )  # fmt: skip
        )
        if len(batch) == 10_000:
            VocEntry.objects.bulk_create(batch)
            batch = []
    VocEntry.objects.bulk_create(batch)
    # auto_now_add overwrote the dates: spread them again, two minutes apart, over the past year.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_vocentry SET created_at = "
            "strftime('%Y-%m-%d %H:%M:%f', 'now', '-365 days', '+' || (id * 120) || ' seconds')"
        )
    agent = User.objects.create_user(email="bench@comptoir.test", password="bench-pass-1", is_agent=True)  # noqa: S106
    return ids[len(ids) // 2], agent


def timed(fn, runs: int) -> dict:  # type: ignore[no-untyped-def]
    fn()
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (runs - 1))], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir)
        from django.test import Client

        from comptoir.surveys.selectors import voc_list

        t = time.perf_counter()
        customer_id, agent = load(args.entries, args.customers)
        load_s = time.perf_counter() - t

        def deep() -> None:
            cursor = None
            for _ in range(50):
                cursor = voc_list(actor=agent, cursor=cursor).next_cursor

        client = Client()
        client.force_login(agent)  # type: ignore[arg-type]
        cases = {
            "voc_list newest first": lambda: voc_list(actor=agent),
            "voc_list one customer": lambda: voc_list(actor=agent, customer_id=customer_id),
            "voc_list frequent word (facture)": lambda: voc_list(actor=agent, q="FACTURE"),
            "voc_list rare word (1 in 1,000)": lambda: voc_list(actor=agent, q="zygomatique"),
            "voc_list 50 pages by cursor (total)": deep,
            "/desk/voc/ page (test client)": lambda: client.get("/desk/voc/?q=callback"),
        }
        figures = {name: timed(fn, args.runs) for name, fn in cases.items()}
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "entries": args.entries,
        "customers": args.customers, "runs": args.runs, "load_seconds": round(load_s, 1),
        "python": sys.version.split()[0], "machine": platform.machine(), "database": "sqlite",
        "cases": figures,
    }  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "voc.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Voice-of-customer log, {args.entries:,} entries ({result['when']}, SQLite)",
        "",
        "| case | p50 ms | p95 ms |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {f['p50_ms']} | {f['p95_ms']} |" for name, f in figures.items()],
        "",
        f"Command: `.venv/bin/python bench/voc.py --entries {args.entries} --runs {args.runs}`",
    ]
    (RESULTS / "voc.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
