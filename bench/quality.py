"""Quality figures at 1,000,000 tickets (issue 12, items 6 and 9): the dashboard page and
``GET /api/v1/metrics`` over real HTTP, and what keeping the figures up to date costs.

Usage::

    .venv/bin/python bench/quality.py [--size 1000000] [--runs 30] [--keep]

Steps: generate the tickets (``bench/generate.py``) into ``bench/_work/quality`` unless they are
there (``--keep``); compute every ticket's figures (``metrics_rebuild``, timed); time the sweep
with nothing to do and after 1,000 tickets changed; then serve with ``comptoir run --no-worker``
on a free port and time each case with a real HTTP client (a supervisor's API token; the desk
page with a signed-in session). Writes ``bench/results/quality.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "quality"
RESULTS = ROOT / "bench" / "results"

ENV = {
    "DJANGO_SETTINGS_MODULE": "comptoir.settings",
    "COMPTOIR_DATA_DIR": str(WORK),
    "COMPTOIR_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "COMPTOIR_TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    "COMPTOIR_RATELIMIT": "0",
}


def setup(keep: bool) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    if not keep and not os.environ.get("COMPTOIR_DATABASE_URL"):
        for f in WORK.glob("comptoir.sqlite3*"):
            f.unlink()
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load(size: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate
    from comptoir.insights.models import TicketFact
    from comptoir.insights.services import metrics_rebuild
    from comptoir.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    stats: dict = {"existing": Ticket.objects.count()}
    if stats["existing"] < size:
        t = time.perf_counter()
        stats.update(generate(size - stats["existing"], seed=1))
        stats["generate_s"] = round(time.perf_counter() - t, 1)
    if TicketFact.objects.count() != Ticket.objects.count():
        t = time.perf_counter()
        stats["rebuilt_tickets"] = metrics_rebuild()
        stats["rebuild_s"] = round(time.perf_counter() - t, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return stats


def sweep_costs() -> dict:
    """The worker's job: with nothing to do, then after 1,000 tickets changed."""
    from django.db.models import F
    from django.utils import timezone

    from comptoir.insights.models import DailyFigures
    from comptoir.insights.services import metrics_sweep
    from comptoir.tickets.models import Ticket

    metrics_sweep()
    idle = []
    for _ in range(10):
        t = time.perf_counter()
        metrics_sweep()
        idle.append((time.perf_counter() - t) * 1000)
    ids = list(Ticket.objects.filter(is_open=True).order_by("-id").values_list("pk", flat=True)[:1000])
    Ticket.objects.filter(pk__in=ids).update(
        status="resolved", is_open=False, resolved_at=timezone.now(), updated_at=timezone.now(),
        version=F("version") + 1,
    )  # fmt: skip
    t = time.perf_counter()
    changed = metrics_sweep()
    busy = (time.perf_counter() - t) * 1000
    return {
        "idle_sweep_ms_p50": round(statistics.median(idle), 1),
        "sweep_after_1000_changes_ms": round(busy, 1),
        "tickets_changed": changed,
        "daily_cells": DailyFigures.objects.count(),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def credentials() -> tuple[str, str, dict]:
    """A supervisor's API token and a desk session cookie, and ids for the filters."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from comptoir.accounts.models import User
    from comptoir.accounts.services import api_token_create
    from comptoir.tickets.models import Ticket

    user = User.objects.filter(is_agent=True).order_by("id").first()
    User.objects.filter(pk=user.pk).update(is_supervisor=True)
    user.refresh_from_db()
    token = api_token_create(user=user)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    busiest = Ticket.objects.values("team_id").annotate(n=Count("id")).order_by("-n").first()
    from comptoir.tickets.models import Category

    category = (
        Ticket.objects.exclude(category=None).values_list("category__slug", flat=True).first()
        or Category.objects.values_list("slug", flat=True).order_by("pk").first()
    )
    customer = Ticket.objects.values("customer_id").annotate(n=Count("id")).order_by("-n").first()
    return token, session.session_key or "", {
        "team": busiest["team_id"], "category": category, "customer": customer["customer_id"],
        "customer_tickets": customer["n"],
    }  # fmt: skip


def cases(ids: dict) -> list[tuple[str, str, str]]:
    from django.utils import timezone

    today = timezone.localdate()
    month = today.replace(day=1).isoformat()
    two_years = (today - timedelta(days=730)).isoformat()
    api = [
        ("API, default period (6 months)", "api", "/api/v1/metrics"),
        ("API, this month", "api", f"/api/v1/metrics?from={month}"),
        ("API, two years", "api", f"/api/v1/metrics?from={two_years}"),
        ("API, busiest team", "api", f"/api/v1/metrics?team={ids['team']}"),
        (
            "API, team + email + two years",
            "api",
            f"/api/v1/metrics?team={ids['team']}&channel=email&from={two_years}",
        ),
        ("API, category", "api", f"/api/v1/metrics?category={ids['category']}"),
        ("API, two years as CSV", "csv", f"/api/v1/metrics?from={two_years}"),
    ]
    desk = [
        ("dashboard page, default", "desk", "/desk/quality/"),
        ("dashboard page, two years", "desk", f"/desk/quality/?from={two_years}&to={today.isoformat()}"),
        ("dashboard page, busiest team", "desk", f"/desk/quality/?team={ids['team']}"),
        ("dashboard, customer with most tickets", "desk", f"/desk/quality/?customer={ids['customer']}"),
        (
            "drill-down: tickets resolved, two years",
            "desk",
            f"/desk/quality/tickets/?drill=resolved&from={two_years}",
        ),
    ]
    return api + desk


def measure(base: str, kind: str, path: str, token: str, session: str, runs: int) -> dict:
    headers = (
        {"Authorization": f"Bearer {token}"} if kind in ("api", "csv") else {"Cookie": f"sessionid={session}"}
    )
    if kind == "csv":
        headers["Accept"] = "text/csv"
    times = []
    status = None
    size = 0
    for i in range(runs + 2):
        request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (http on loopback)
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status, body = exc.code, b""
        if i >= 2:
            times.append((time.perf_counter() - t) * 1000)
        size = len(body)
        if status != 200:
            break
    if status != 200:
        return {"path": path, "status": status}
    return {
        "path": path, "status": status, "bytes": size, "runs": runs,
        "p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 95), 1),
        "max_ms": round(max(times), 1),
    }  # fmt: skip


def serve_and_measure(runs: int) -> tuple[dict, list[dict]]:
    token, session, ids = credentials()
    port = free_port()
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "comptoir", "run", "--no-worker", "--port", str(port), "--threads", "4"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/desk/login/", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        rows = []
        for name, kind, path in cases(ids):
            row = measure(base, kind, path, token, session, runs)
            rows.append({"case": name, **row})
            print(name, row, flush=True)
        return ids, rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def render(res: dict) -> str:
    lines = [
        "# Quality figures at 1,000,000 tickets (issue 12, items 6 and 9)",
        "",
        f"Measured {res['when']} on {res['machine']}, {res['database']}, {res['tickets']:,} tickets; "
        f"`comptoir run --no-worker` (waitress, 4 threads) on loopback, one client, {res['runs']} timed "
        "requests per case after 2 warm-ups.",
        "",
        "| case | p50 ms | p95 ms | max ms | bytes |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in res["http"]:
        if row.get("status") != 200:
            lines.append(f"| {row['case']} | HTTP {row.get('status')} | | | |")
            continue
        lines.append(
            f"| {row['case']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} | {row['bytes']:,} |"
        )
    load, sweep = res["load"], res["sweep"]
    lines += [
        "",
        "Keeping the figures up to date (the worker's `metrics` job, every 15 s):",
        "",
        f"- `metrics_rebuild()` over all tickets: {load.get('rebuild_s', 'n/a')} s "
        f"({load.get('rebuilt_tickets', 'already built')} tickets); {sweep['daily_cells']:,} daily cells.",
        f"- a sweep with nothing changed: {sweep['idle_sweep_ms_p50']} ms (p50 of 10);",
        f"- a sweep after 1,000 tickets were resolved: {sweep['sweep_after_1000_changes_ms']} ms "
        f"({sweep['tickets_changed']} tickets' figures changed).",
        "",
        f"The customer filter reads that customer's facts ({res['ids']['customer_tickets']} tickets); the "
        "others add up daily cells. Percentiles are exact up to 20,000 tickets in the period, else read "
        "from the histograms.",
        "",
        "Reproduce: `.venv/bin/python bench/quality.py` (generates the tickets on first run, about "
        "10 minutes; `--keep` reuses them).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="Reuse the tickets of a previous run.")
    parser.add_argument("--load-only", action="store_true", help="Generate and rebuild, measure nothing.")
    args = parser.parse_args()
    setup(args.keep)
    from django.db import connection

    from comptoir.tickets.models import Ticket

    load_stats = load(args.size)
    print("load", load_stats, flush=True)
    if args.load_only:
        return
    sweep = sweep_costs()
    print("sweep", sweep, flush=True)
    connection.close()
    ids, http = serve_and_measure(args.runs)
    res = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "database": "PostgreSQL" if connection.vendor == "postgresql" else "SQLite (WAL)",
        "tickets": Ticket.objects.count(),
        "runs": args.runs,
        "load": load_stats,
        "sweep": sweep,
        "ids": ids,
        "http": http,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality.json").write_text(json.dumps(res, indent=2, default=str) + "\n")
    (RESULTS / "quality.md").write_text(render(res))
    print(render(res))


if __name__ == "__main__":
    main()
