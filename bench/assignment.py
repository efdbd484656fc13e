"""Issue 4 figures: "next ticket" latency with a million tickets loaded, and triage decisions/s.

Usage (from the repository root):
    .venv/bin/python bench/assignment.py [--size 1000000] [--calls 300] [--keep]

On SQLite (WAL) in bench/_work/assign (kept between runs with --keep, so the million tickets are
generated once): bench/generate.py loads the tickets (40 % open, ~30 % of open ones unassigned,
due times by priority); then agents of every team ask for their next ticket one after another
(service call, and the API's POST /api/v1/queue/next), each call claiming a ticket. Triage runs
the whole decision (rules, language, classifier, priority) on generated bilingual requests.
Figures go to bench/results/assignment.json and bench/results/assignment.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "assign"
RESULTS = ROOT / "bench" / "results"


def setup(keep: bool) -> None:
    if not keep and WORK.exists():
        for f in WORK.glob("comptoir.sqlite3*"):
            f.unlink()
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings",
        COMPTOIR_DATA_DIR=str(WORK),
        COMPTOIR_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        COMPTOIR_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    os.environ.pop("COMPTOIR_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load(size: int) -> dict:
    from django.core.management import call_command

    from bench.generate import generate
    from comptoir.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    have = Ticket.objects.count()
    stats = {"existing": have}
    if have < size:
        stats.update(generate(size - have, seed=1))
    return stats


def bench_next(calls: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from comptoir.accounts.models import User
    from comptoir.accounts.services import api_token_create
    from comptoir.assignment.services import ticket_next
    from comptoir.tickets.models import Ticket

    agents = list(User.objects.filter(is_agent=True, email__endswith="@bench.comptoir.test").order_by("pk"))
    User.objects.filter(pk__in=[a.pk for a in agents]).update(capacity=1_000_000, languages="en,fr")
    for agent in agents:
        agent.refresh_from_db()
    open_unassigned = Ticket.objects.filter(is_open__in=[True], assignee__isnull=True).count()
    service_ms, sql = [], []
    for i in range(calls):
        agent = agents[i % len(agents)]
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            got = ticket_next(agent=agent)
        service_ms.append((time.perf_counter() - started) * 1000)
        sql.append(len(ctx.captured_queries))
        assert got is not None
    api_ms = []
    clients = [Client(headers={"Authorization": f"Bearer {api_token_create(user=a)}"}) for a in agents[:6]]
    for i in range(calls):
        started = time.perf_counter()
        response = clients[i % len(clients)].post("/api/v1/queue/next")
        api_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    return {
        "tickets": Ticket.objects.count(),
        "open_unassigned_before": open_unassigned,
        "agents": len(agents),
        "calls": calls,
        "service_ms": {
            "p50": statistics.median(service_ms),
            "p95": pct(service_ms, 95),
            "max": max(service_ms),
        },
        "api_ms": {"p50": statistics.median(api_ms), "p95": pct(api_ms, 95), "max": max(api_ms)},
        "sql_per_call": {"p50": statistics.median(sql), "max": max(sql)},
    }


def bench_triage(n: int) -> dict:
    from comptoir.console.demo_data import NAMES, ticket_text
    from comptoir.customers.models import Customer
    from comptoir.triage.services import classifier, triage_decide

    rng = random.Random(7)
    customer = Customer.objects.order_by("pk").first()
    texts = []
    for _ in range(n):
        lang = "fr" if rng.random() < 0.55 else "en"
        texts.append((lang, *ticket_text(rng, lang, rng.choice(NAMES[lang]))))
    started = time.perf_counter()
    model = classifier()
    load_s = time.perf_counter() - started
    triage_decide(
        subject="warm-up", text="warm up", channel="web", customer=customer, sender_email=None, language="en"
    )
    started = time.perf_counter()
    for lang, subject, body in texts:
        triage_decide(
            subject=subject,
            text=body,
            channel="web",
            customer=customer,
            sender_email="x@example.com",
            language=lang,
        )
    decide_s = time.perf_counter() - started
    started = time.perf_counter()
    for _lang, subject, body in texts:  # what the worker's enrichment does for each ticket
        model.predict_one(f"{subject}\n{body}")
    one_s = time.perf_counter() - started
    started = time.perf_counter()
    model.predict([f"{s}\n{b}" for _lang, s, b in texts])
    batch_s = time.perf_counter() - started
    return {
        "decisions": n,
        "model_load_s": round(load_s, 2),
        "decisions_per_s": round(n / decide_s, 1),
        "ms_per_decision": round(decide_s / n * 1000, 2),
        "classifier_one_ms": round(one_s / n * 1000, 2),
        "classifier_batch_per_s": round(n / batch_s, 1),
        "embeddings": getattr(model, "uses_embeddings", None),
    }


def render(res: dict) -> str:
    n, t = res["next"], res["triage"]
    return "\n".join(
        [
            "# Assignment and triage figures (issues 4 and 9)",
            "",
            f"Commit {res['commit']}, {res['when']}, {res['machine']}. Command: `.venv/bin/python bench/assignment.py`.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| tickets loaded (SQLite, WAL) | {n['tickets']:,} ({n['open_unassigned_before']:,} open and unassigned) |",
            f"| next ticket, service call, p50 / p95 / max ms | {n['service_ms']['p50']:.1f} / "
            f"{n['service_ms']['p95']:.1f} / {n['service_ms']['max']:.1f} ({n['calls']} calls, {n['agents']} agents) |",
            f"| next ticket, `POST /api/v1/queue/next`, p50 / p95 / max ms | {n['api_ms']['p50']:.1f} / "
            f"{n['api_ms']['p95']:.1f} / {n['api_ms']['max']:.1f} |",
            f"| SQL statements per next-ticket call, p50 / max | {n['sql_per_call']['p50']} / {n['sql_per_call']['max']} |",
            f"| intake's triage decisions per second (rules + language + safety words + key accounts, "
            f"one at a time; since issue 9 the classifier runs in the worker) | "
            f"{t['decisions_per_s']} ({t['ms_per_decision']} ms each) |",
            f"| classifier, one text at a time (the worker's enrichment), ms per text | {t['classifier_one_ms']} |",
            f"| classifier alone, batch, texts per second | {t['classifier_batch_per_s']} |",
            f"| classifier load time | {t['model_load_s']} s (embeddings: {t['embeddings']}) |",
            "",
            "Starter-model and classifier macro-F1 are in triage.md (bench/triage.py).",
            "",
        ]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--triage", type=int, default=500)
    ap.add_argument("--keep", action="store_true", help="reuse the database of the last run")
    args = ap.parse_args()
    setup(args.keep)
    import subprocess

    generated = load(args.size)
    res = {
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "generated": generated,
        "next": bench_next(args.calls),
        "triage": bench_triage(args.triage),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "assignment.json").write_text(json.dumps(res, indent=2, default=str))
    (RESULTS / "assignment.md").write_text(render(res))
    print(render(res))


if __name__ == "__main__":
    main()
