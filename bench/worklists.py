"""Issue 10 figures: the desk's work lists (first page of each view, filters, sorts) at 1,000,000
tickets, and a ticket page opened from a view (previous/next).

Usage (from the repository root):
    .venv/bin/python bench/worklists.py [--size 1000000] [--runs 30] [--keep]
    COMPTOIR_DATABASE_URL=postgres://... .venv/bin/python bench/worklists.py   # PostgreSQL

SQLite (WAL) in bench/_work/worklists: the million tickets of bench/_work/assign (bench/assignment.py)
are copied when present, else bench/generate.py loads them; with COMPTOIR_DATABASE_URL the database
it names (PostgreSQL) is migrated and loaded by bench/generate.py, then ANALYZEd. ``migrate`` builds
the view counters (worklists 0001) with one GROUP BY and the sort indexes (tickets 0014). Each case is the full desk page through Django's test
client (middleware, session, templates, every query), as an agent of the busiest team logged in:
warm-up runs, then ``--runs`` timed ones; p50/p95 wall time and the number of SQL statements.
Figures go to bench/results/worklists.json and bench/results/worklists.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "worklists"
SOURCE = ROOT / "bench" / "_work" / "assign" / "comptoir.sqlite3"
RESULTS = ROOT / "bench" / "results"

CASES = [  # (name, query string): the built-in views, then sorts and filters combined
    ("my tickets (first page of /desk/)", ""),
    ("my team's queue", "view=team"),
    ("unassigned", "view=unassigned"),
    ("waiting on me", "view=waiting"),
    ("all open", "view=open"),
    ("recently updated", "view=recent"),
    ("snoozed", "view=snoozed"),
    ("team, newest", "view=team&sort=newest"),
    ("team, oldest", "view=team&sort=oldest"),
    ("team, priority", "view=team&sort=priority"),
    ("team, recently updated", "view=team&sort=updated"),
    ("all open, P1 + English + email", "view=open&priority=P1&language=en&channel=email"),
    ("all open, status waiting on customer, newest", "view=open&status=waiting_customer&sort=newest"),
    ("all open, SLA breached", "view=open&sla=breached"),
    ("all open, SLA due soon", "view=open&sla=due_soon"),
    ("all open, assignee = a colleague", "view=open&assignee={colleague}"),
    ("all open, level 2", "view=open&level=2"),
]


def setup(keep: bool) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / "comptoir.sqlite3"
    postgres = bool(os.environ.get("COMPTOIR_DATABASE_URL"))
    if not keep and not postgres:
        for f in WORK.glob("comptoir.sqlite3*"):
            f.unlink()
    if not postgres and not db.exists() and SOURCE.exists():
        shutil.copyfile(SOURCE, db)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings",
        COMPTOIR_DATA_DIR=str(WORK),
        COMPTOIR_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        COMPTOIR_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
        COMPTOIR_RATELIMIT="0",
    )
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

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    stats: dict = {"migrate_s": round(time.perf_counter() - t, 1)}
    have = Ticket.objects.count()
    stats["existing"] = have
    if have < size:
        stats.update(generate(size - have, seed=1))
    t = time.perf_counter()  # the generator writes rows in bulk: the view counters follow them
    call_command("worklists", "recount")
    stats["recount_s"] = round(time.perf_counter() - t, 1)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics for the planner (PostgreSQL; harmless on SQLite)
        cursor.execute("ANALYZE")
    return stats


def pick_agent():  # type: ignore[no-untyped-def]
    """An agent of the team with the most open tickets, holding open tickets themselves."""
    from django.db.models import Count

    from comptoir.accounts.models import User
    from comptoir.tickets.models import Ticket

    team_id = (
        Ticket.objects.filter(is_open=True, team__isnull=False)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["team_id"]
    )
    agents = list(User.objects.filter(is_agent=True, teams=team_id).order_by("id"))
    return agents[0], agents[1]


def measure(client, url: str, runs: int) -> dict:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    warm = []
    for _ in range(2):
        t = time.perf_counter()
        response = client.get(url)
        warm.append(time.perf_counter() - t)
        assert response.status_code == 200, (url, response.status_code)
    if min(warm) > 1.0:  # a case without an index of its own: a few runs say enough
        runs = min(runs, 5)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    rows = response.content.decode().count('data-testid="queue-row"')
    return {
        "url": url,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(pct(times, 95), 1),
        "max_ms": round(max(times), 1),
        "sql": len(ctx.captured_queries),
        "slowest_sql_ms": round(max(float(q["time"]) for q in ctx.captured_queries) * 1000, 1),
        "rows": rows,
        "runs": runs,
    }


def bench(runs: int) -> dict:
    from django.test import Client

    from comptoir.tickets.models import Ticket
    from comptoir.worklists.selectors import worklist_counts

    agent, colleague = pick_agent()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    out: dict = {"agent": agent.email, "counts": worklist_counts(actor=agent), "cases": {}}
    for name, qs in CASES:
        url = "/desk/?" + qs.format(colleague=colleague.email)
        out["cases"][name] = measure(client, url, runs)
        print(f"  {name:50s} {out['cases'][name]}", flush=True)
    # A ticket opened from the team's queue: the page with its previous/next in that view.
    ref = (
        Ticket.objects.filter(team__in=agent.teams.all(), is_open=True)
        .order_by("due_at", "priority", "id")[10]
        .reference
    )
    for name, qs in (("ticket page from team's queue", "view%3Dteam"), ("ticket page, no view", "")):
        url = f"/desk/tickets/{ref}/" + (f"?from={qs}" if qs else "")
        out["cases"][name] = measure(client, url, runs)
        print(f"  {name:50s} {out['cases'][name]}", flush=True)
    return out


DATABASES = {"sqlite": "SQLite (WAL)", "postgresql": "PostgreSQL"}


def render(res: dict) -> str:
    lines = [
        "# Work lists at 1,000,000 tickets (issue 10)",
        "",
        f"Measured {res['date']} on {res['machine']}, {DATABASES.get(res['database'], res['database'])}, "
        f"{res['tickets']:,} tickets "
        f"({res['open']:,} open); Django test client, full desk page, {res['runs']} timed runs "
        "after 2 warm-ups (5 runs where a warm-up took over a second). Agent of the busiest team; sidebar counts read from the view counters: "
        f"{res['result']['counts']}.",
        "",
        "| case | p50 ms | p95 ms | SQL | slowest SQL ms | rows |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, c in res["result"]["cases"].items():
        lines.append(
            f"| {name} | {c['p50_ms']} | {c['p95_ms']} | {c['sql']} | {c['slowest_sql_ms']} | {c['rows']} |"
        )
    lines += [
        "",
        "Reproduce: `.venv/bin/python bench/worklists.py` (copies bench/_work/assign's million tickets",
        "when present, else generates them); PostgreSQL: the same with COMPTOIR_DATABASE_URL set.",
        "The sorts by last update and by priority, and the breached filter, read the indexes of",
        "migration tickets/0014 (they took 0.5-4.5 s on SQLite before it).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="reuse bench/_work/worklists as it is")
    args = ap.parse_args()
    setup(args.keep)
    stats = load(args.size)
    print(f"data: {stats}", flush=True)
    from django.db import connection

    from comptoir.tickets.models import Ticket

    vendor = connection.vendor
    result = bench(args.runs)
    res = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "database": vendor,
        "tickets": Ticket.objects.count(),
        "open": Ticket.objects.filter(is_open=True).count(),
        "runs": args.runs,
        "load": stats,
        "result": result,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "worklists" if vendor == "sqlite" else f"worklists-{vendor}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(res, indent=2, default=str) + "\n")
    (RESULTS / f"{stem}.md").write_text(render(res))
    print(render(res))


if __name__ == "__main__":
    main()
