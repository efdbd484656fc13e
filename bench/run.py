"""Comptoir foundation benchmark: ticket creation throughput and open-ticket list latency.

    .venv/bin/python bench/run.py                       # full run: 10k, 100k, 1M tickets
    .venv/bin/python bench/run.py --quick               # smoke run (~1 min)
    .venv/bin/python bench/run.py --sizes 10000,100000  # chosen sizes
    .venv/bin/python bench/run.py --peer                # also run django-helpdesk's harness live
    .venv/bin/python bench/run.py --peer-json FILE      # compare with a saved peer results file

Same method as the django-helpdesk baseline in shared/peer-bench (bench.py): everything goes through
Django's test ``Client`` in this one process (full middleware, routing, templates, ORM, database;
no HTTP server, no socket), one request at a time, wall clock per request; SQLite in WAL mode
(Comptoir's default settings). See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work"
RESULTS_DIR = HERE / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_PEER_DIR = Path(os.environ.get("COMPTOIR_PEER_DIR", "/work/shared/peer-bench"))
# Figures recorded in shared/peer-bench/RESULTS.md (django-helpdesk 2.6.1, SQLite WAL, same machine
# type): used when the peer is neither run live nor found as a results file.
PEER_RECORDED = {
    "source": "peer, recorded in shared/peer-bench/RESULTS.md (django-helpdesk 2.6.1, SQLite WAL)",
    "create_api_tickets_per_s": 46.8,
    "create_form_tickets_per_s": 124.9,
    "list": {
        "10000": {"p50_ms": 120.2, "p95_ms": 129.6, "sql": 70},
        "100000": {"p50_ms": 946.9, "p95_ms": 992.3, "sql": 70},
    },
    "api_list": {
        "10000": {"p50_ms": 929.0, "p95_ms": 1228.0},
        "100000": {"p50_ms": 9009.0, "p95_ms": 9417.0},
    },
    "peak_rss_mib": 336.0,
}
TARGET_API_RATIO = 10.0
TARGET_LIST_P95_MS = 25.0
KIND_RE = re.compile(r"^\s*(\w+)")


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def log(msg: str) -> None:
    print(msg, flush=True)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "mem_gib": round(mem_gib, 1),
        "python": sys.version.split()[0],
    }


# ----------------------------------------------------------------------------------------------
# Django setup and database
# ----------------------------------------------------------------------------------------------
def use_source(src: str) -> dict:
    """Import ``comptoir`` from ``src`` ("HEAD": a snapshot of the last commit, taken with git archive
    into bench/_work/src-<commit>, so edits in progress in the working tree are not measured)."""
    info = {"requested": src}
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    info["head"] = head
    if src == "HEAD":
        target = WORK / f"src-{head[:12]}"
        if not (target / "comptoir").exists():
            target.mkdir(parents=True, exist_ok=True)
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", "HEAD", "comptoir"], capture_output=True, check=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        src = str(target)
        info["tree"] = f"commit {head} (snapshot in {target.relative_to(ROOT)})"
    else:
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "comptoir"],
            capture_output=True, text=True, check=False,
        ).stdout.splitlines()  # fmt: skip
        info["tree"] = f"working tree {src} at commit {head}" + (
            f" with {len(dirty)} uncommitted changes under comptoir/" if dirty else " (clean)"
        )
    sys.path.insert(0, str(Path(src).resolve()))
    return info


def setup(args: argparse.Namespace) -> None:
    data_dir = WORK / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["COMPTOIR_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("COMPTOIR_SECRET_KEY", "bench-only-not-a-secret-" + "x" * 32)
    os.environ["COMPTOIR_TASK_BACKEND"] = args.task_backend
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()
    from django.test.utils import override_settings

    # Rate limits would refuse the 11th form post of a minute: off for the benchmark. DEBUG stays
    # as configured (off), as in production.
    override_settings(RATELIMIT_ENABLE=False).enable()


def reset_db() -> float:
    """An empty, migrated database (SQLite: a new file; PostgreSQL: migrate + flush)."""
    from django.core.management import call_command
    from django.db import connection, connections

    t = time.perf_counter()
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
    else:
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    return time.perf_counter() - t


def db_info() -> dict:
    from django.db import connection

    info = {"vendor": connection.vendor}
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            import sqlite3

            c.execute("PRAGMA journal_mode")
            info["journal_mode"] = c.fetchone()[0]
            c.execute("PRAGMA synchronous")
            info["synchronous"] = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(c.fetchone()[0])
            info["version"] = "SQLite " + sqlite3.sqlite_version
        else:
            c.execute("select version()")
            info["version"] = c.fetchone()[0]
    return info


def db_size_mib() -> float | None:
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        return (
            sum(Path(f"{name}{s}").stat().st_size for s in ("", "-wal") if Path(f"{name}{s}").exists())
            / 1024**2
        )
    with connection.cursor() as c:
        c.execute("select pg_database_size(current_database())")
        return c.fetchone()[0] / 1024**2


def explain(sql: str) -> list[str]:
    from django.db import connection

    try:
        with connection.cursor() as c:
            if connection.vendor == "sqlite":
                c.execute("EXPLAIN QUERY PLAN " + sql)
                return [row[-1] for row in c.fetchall()]
            c.execute("EXPLAIN " + sql)
            return [row[0] for row in c.fetchall()]
    except Exception as exc:  # noqa: BLE001 - a plan we cannot get is not a benchmark failure
        return [f"(no plan: {exc})"]


def statement_mix(queries: list[dict]) -> dict[str, int]:
    mix: dict[str, int] = {}
    for q in queries:
        m = KIND_RE.match(q["sql"])
        kind = m.group(1).upper() if m else "?"
        mix[kind] = mix.get(kind, 0) + 1
    return mix


def captured(client, method: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
    """One request with every SQL statement captured (not timed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, **kwargs)
    return response, ctx.captured_queries


# ----------------------------------------------------------------------------------------------
# a. creation throughput
# ----------------------------------------------------------------------------------------------
def customer_pool(rng: random.Random, n: int, tag: str) -> list[tuple[str, str, str]]:
    """(language, name, email) for ~1 customer per 3 tickets, so some customers write again."""
    from comptoir.console.demo_data import NAMES

    pool = []
    for i in range(max(1, n // 3)):
        lang = "fr" if rng.random() < 0.55 else "en"
        name = rng.choice(NAMES[lang])
        local = name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
        pool.append((lang, name, f"{local}.{tag}.{i}@example.com"))
    return pool


def bench_create_api(api, rng: random.Random, n: int, tag: str) -> dict:
    """POST /api/v1/tickets then POST /api/v1/tickets/{ref}/messages (public reply)."""
    from comptoir.console.demo_data import reply_text, ticket_text

    pool = customer_pool(rng, n, tag)
    lat_t, lat_m = [], []
    t0 = time.perf_counter()
    for _ in range(n):
        lang, name, email = rng.choice(pool)
        subject, body = ticket_text(rng, lang, name)
        payload = {
            "subject": subject,
            "body": body,
            "channel": "api",
            "customer": {"name": name, "email": email, "language": lang},
        }
        s = time.perf_counter()
        r = api.post(
            "/api/v1/tickets",
            data=json.dumps(payload),
            content_type="application/json",
            headers={"idempotency-key": uuid.uuid4().hex},
        )
        lat_t.append(time.perf_counter() - s)
        if r.status_code != 201:
            raise RuntimeError(f"POST /api/v1/tickets -> {r.status_code}: {r.content[:500]!r}")
        ref = r.json()["reference"]
        reply = {"body": reply_text(rng, lang, name), "visibility": "public"}
        s = time.perf_counter()
        r = api.post(
            f"/api/v1/tickets/{ref}/messages", data=json.dumps(reply), content_type="application/json"
        )
        lat_m.append(time.perf_counter() - s)
        if r.status_code != 201:
            raise RuntimeError(f"POST messages -> {r.status_code}: {r.content[:500]!r}")
    dt = time.perf_counter() - t0
    return {
        "n": n,
        "seconds": dt,
        "tickets_per_s": n / dt,
        "ticket_post_p50_ms": pct(lat_t, 50) * 1e3,
        "ticket_post_p95_ms": pct(lat_t, 95) * 1e3,
        "reply_post_p50_ms": pct(lat_m, 50) * 1e3,
        "reply_post_p95_ms": pct(lat_m, 95) * 1e3,
    }


def bench_create_form(anon, rng: random.Random, n: int, tag: str) -> dict:
    """Anonymous POST / (the customers' request form), language from Accept-Language."""
    from comptoir.console.demo_data import ticket_text

    pool = customer_pool(rng, n, tag)
    lat = []
    t0 = time.perf_counter()
    for _ in range(n):
        lang, name, email = rng.choice(pool)
        subject, body = ticket_text(rng, lang, name)
        data = {
            "name": name,
            "email": email,
            "subject": subject,
            "description": body,
            "submission_id": uuid.uuid4().hex,
        }
        s = time.perf_counter()
        r = anon.post("/", data, headers={"accept-language": lang})
        lat.append(time.perf_counter() - s)
        if r.status_code != 302:
            raise RuntimeError(f"POST / -> {r.status_code}: {r.content[:800]!r}")
    dt = time.perf_counter() - t0
    return {
        "n": n,
        "seconds": dt,
        "tickets_per_s": n / dt,
        "post_p50_ms": pct(lat, 50) * 1e3,
        "post_p95_ms": pct(lat, 95) * 1e3,
    }


def clear_task_backend() -> None:
    from django_tasks import default_task_backend

    clear = getattr(default_task_backend, "clear", None)
    if clear is not None:  # the dummy backend keeps every enqueued task in memory
        clear()


def write_path_profile(api, anon, rng: random.Random) -> dict:
    """SQL statements of one API creation, one API reply and one form post (for the report)."""
    from comptoir.console.demo_data import reply_text, ticket_text

    lang, name, email = "fr", "Zoé Bélanger", "zoe.profile@example.com"
    subject, body = ticket_text(rng, lang, name)
    payload = {"subject": subject, "body": body, "customer": {"name": name, "email": email, "language": lang}}
    r, q_create = captured(
        api, "post", "/api/v1/tickets", data=json.dumps(payload), content_type="application/json",
        headers={"idempotency-key": uuid.uuid4().hex},
    )  # fmt: skip
    ref = r.json()["reference"]
    reply = json.dumps({"body": reply_text(rng, lang, name), "visibility": "public"})
    _r, q_reply = captured(
        api, "post", f"/api/v1/tickets/{ref}/messages", data=reply, content_type="application/json"
    )
    subject, body = ticket_text(rng, lang, name)
    form = {"name": name, "email": email, "subject": subject, "description": body, "submission_id": "p1"}
    _r, q_form = captured(anon, "post", "/", data=form)
    out = {}
    for key, qs in (("api_ticket_post", q_create), ("api_reply_post", q_reply), ("form_post", q_form)):
        out[key] = {
            "statements": len(qs),
            "mix": statement_mix(qs),
            "sql": [q["sql"][:160] for q in qs],
        }
    return out


# ----------------------------------------------------------------------------------------------
# b. list latency
# ----------------------------------------------------------------------------------------------
def time_series(
    client, url: str, reps: int, rounds: int, headers: dict | None = None, budget_s: float = 45.0
) -> dict:
    """One captured warm-up request, then ``rounds`` series of ``reps`` timed requests.

    Like the peer, a series stops after ``budget_s`` seconds once it has 5 requests.
    """
    r, queries = captured(client, "get", url, headers=headers or {})
    if r.status_code != 200:
        raise RuntimeError(f"GET {url} -> {r.status_code}: {r.content[:500]!r}")
    body = r.content
    slowest = max(queries, key=lambda q: float(q["time"])) if queries else None
    runs = []
    for _ in range(rounds):
        lat = []
        for _ in range(reps):
            s = time.perf_counter()
            r = client.get(url, headers=headers or {})
            lat.append(time.perf_counter() - s)
            if r.status_code != 200:
                raise RuntimeError(f"GET {url} -> {r.status_code}")
            if len(lat) >= 5 and sum(lat) > budget_s:
                break
        runs.append(
            {
                "n": len(lat),
                "p50_ms": pct(lat, 50) * 1e3,
                "p95_ms": pct(lat, 95) * 1e3,
                "max_ms": max(lat) * 1e3,
            }
        )
    ticket_sql = [q["sql"] for q in queries if "tickets_ticket" in q["sql"] and q["sql"].startswith("SELECT")]
    return {
        "url": url,
        "reps": reps,
        "rounds": rounds,
        "runs": runs,
        "p50_ms": statistics.median(x["p50_ms"] for x in runs),
        "p95_ms": statistics.median(x["p95_ms"] for x in runs),
        "sql_queries": len(queries),
        "slowest_sql_ms": float(slowest["time"]) * 1e3 if slowest else None,
        "slowest_sql": slowest["sql"][:600] if slowest else None,
        "ticket_sql": [s[:4000] for s in ticket_sql],
        "plans": [explain(s) for s in ticket_sql],
        "bytes": len(body),
        "_body": body,
    }


def bench_reads(agent_client, api, token_headers: dict, reps: int, rounds: int, label: str) -> dict:
    out: dict[str, dict] = {}

    def run(name: str, client, url: str, headers: dict | None = None) -> dict:
        res = time_series(client, url, reps, rounds, headers)
        body = res.pop("_body")
        if url.startswith("/api/"):
            data = json.loads(body)
            res["rows"] = len(data["items"])
            res["next_cursor"] = data.get("next_cursor")
        else:
            html = body.decode()
            res["rows"] = html.count('data-testid="queue-row"')
            m = re.search(r"cursor=([^\"&]+)", html)
            res["next_cursor"] = m.group(1) if m else None
        out[name] = res
        log(
            f"  [{label}] {name:<14} p50 {res['p50_ms']:7.2f} ms  p95 {res['p95_ms']:7.2f} ms  "
            f"{res['sql_queries']:2d} SQL  slowest SQL {res['slowest_sql_ms'] or 0:6.2f} ms  "
            f"rows {res['rows']}"
        )
        return res

    first = run("desk_all", agent_client, "/desk/?scope=all")
    if first["next_cursor"]:
        run("desk_all_p2", agent_client, f"/desk/?scope=all&cursor={first['next_cursor']}")
    run("desk_team", agent_client, "/desk/")
    first = run("api_open", api, "/api/v1/tickets?status=open", token_headers)
    if first["next_cursor"]:
        run("api_open_p2", api, f"/api/v1/tickets?status=open&cursor={first['next_cursor']}", token_headers)
    return out


# ----------------------------------------------------------------------------------------------
# d. the peer
# ----------------------------------------------------------------------------------------------
def peer_from_json(path: Path) -> dict:
    data = json.loads(path.read_text())
    create = data.get("create", {})
    lists, api_lists = {}, {}
    for size, reads in (data.get("reads") or {}).items():
        opb = reads.get("open_by_priority") or {}
        if opb:
            lists[size] = {
                "p50_ms": opb.get("json_p50_ms_median"),
                "p95_ms": opb.get("json_p95_ms_median"),
                "sql": opb.get("json_sql_queries"),
            }
        api = reads.get("api_tickets_list") or {}
        if api:
            api_lists[size] = {"p50_ms": api.get("p50_ms"), "p95_ms": api.get("p95_ms")}
    return {
        "source": f"peer results file {path} (started {data.get('started')}, args {data.get('args')})",
        "create_api_tickets_per_s": create.get("api_tickets_per_s_median"),
        "create_form_tickets_per_s": create.get("public_form_tickets_per_s_median"),
        "list": lists,
        "api_list": api_lists,
        "peak_rss_mib": data.get("peak_rss_mib"),
    }


def peer_results(args: argparse.Namespace) -> dict:
    peer_work = WORK / "peer"
    if args.peer:
        run_sh = args.peer_dir / "run.sh"
        cmd = ["bash", str(run_sh), "--sqlite-wal", *shlex.split(args.peer_args)]
        env = {**os.environ, "PEER_WORK": str(peer_work), "PEER_VENV": str(WORK / "peer-venv")}
        for key in ("DJANGO_SETTINGS_MODULE", "COMPTOIR_DATA_DIR", "COMPTOIR_TASK_BACKEND"):
            env.pop(key, None)
        log(f"running the peer live: {' '.join(cmd)} (PEER_WORK={peer_work})")
        t = time.perf_counter()
        proc = subprocess.run(cmd, env=env, check=False)
        log(f"peer finished with exit status {proc.returncode} in {time.perf_counter() - t:.0f}s")
        found = peer_work / "results-sqlite-wal.json"
        if proc.returncode == 0 and found.exists():
            res = peer_from_json(found)
            res["source"] = "peer, run live in this invocation: " + res["source"]
            return res
        log("the live peer run gave no results; falling back")
    candidates = [Path(args.peer_json)] if args.peer_json else []
    candidates += [peer_work / "results-sqlite-wal.json", args.peer_dir / "_work" / "results-sqlite-wal.json"]
    for path in candidates:
        if path.exists():
            return peer_from_json(path)
    return dict(PEER_RECORDED)


# ----------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------
def fmt(x: float | None, nd: int = 1) -> str:
    return "–" if x is None else f"{x:,.{nd}f}"


def render_md(res: dict) -> str:
    m, peer = res["machine"], res["peer"]
    cr = res["create"]
    lines = [
        "# Comptoir foundation benchmark",
        "",
        f"- **Date**: {res['started']} → {res['finished']} (UTC)",
        f"- **Machine**: {m['cpu']}, nproc = {m['nproc']}, {m['mem_gib']} GiB RAM, {m['platform']}",
        f"- **Load average** (1/5/15 min) at start {res['loadavg']['start']}, before reads "
        f"{res['loadavg'].get('before_reads')}, at end {res['loadavg']['end']}: a load above "
        f"{m['nproc']} means another process shared the CPUs (noise).",
        f"- **Software**: Python {m['python']}, Django {res['django']}, {res['db']['version']} "
        f"(journal_mode={res['db'].get('journal_mode', '–')}, "
        f"synchronous={res['db'].get('synchronous', '–')})",
        f"- **Command**: `{res['command']}`",
        f"- **Code measured**: {res['source']['tree']}",
        f"- **Task backend**: `{res['task_backend']}`: outbox deliveries are recorded in the "
        "database but their sends are not run inline (no worker runs during the benchmark).",
        "- **Method**: Django test `Client` in-process, one request at a time, wall clock per "
        "request; rate limits off (`RATELIMIT_ENABLE=False`). Same method as "
        "shared/peer-bench/bench.py.",
        f"- **Peer figures**: {peer['source']}",
        "",
        "## Headline",
        "",
        "| metric | Comptoir | peer (django-helpdesk) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    api_rate = cr["api_tickets_per_s_median"]
    form_rate = cr["form_tickets_per_s_median"]
    p_api, p_form = peer.get("create_api_tickets_per_s"), peer.get("create_form_tickets_per_s")
    api_ratio = api_rate / p_api if p_api else None
    lines.append(
        f"| create via API (ticket POST + public reply POST), tickets/s | **{fmt(api_rate)}** | "
        f"{fmt(p_api)} | {fmt(api_ratio)}× | ≥ {TARGET_API_RATIO:.0f}× "
        f"({'met' if api_ratio and api_ratio >= TARGET_API_RATIO else 'MISSED'}) |"
    )
    lines.append(
        f"| create via public web form, tickets/s | **{fmt(form_rate)}** | {fmt(p_form)} | "
        f"{fmt(form_rate / p_form if p_form else None)}× | |"
    )
    for size in res["sizes"]:
        reads = res["reads"].get(str(size), {})
        d = reads.get("desk_all")
        if not d:
            continue
        p = peer.get("list", {}).get(str(size))
        ratio = f"peer/Comptoir {p['p50_ms'] / d['p50_ms']:.1f}×" if p and p.get("p50_ms") else "–"
        target = (
            f"p95 < {TARGET_LIST_P95_MS:.0f} ms ({'met' if d['p95_ms'] < TARGET_LIST_P95_MS else 'MISSED'})"
        )
        lines.append(
            f"| first page of open tickets, {size:,} tickets: desk queue p50 / p95 ms | "
            f"**{d['p50_ms']:.1f} / {d['p95_ms']:.1f}** | "
            f"{fmt(p['p50_ms']) + ' / ' + fmt(p['p95_ms']) if p else 'not measured'} | {ratio} | "
            f"{target if size >= 1_000_000 else ''} |"
        )
        a = reads.get("api_open")
        pa = peer.get("api_list", {}).get(str(size))
        if a:
            a_target = ""
            if size >= 1_000_000:
                ok = a["p95_ms"] < TARGET_LIST_P95_MS
                a_target = f"p95 < {TARGET_LIST_P95_MS:.0f} ms ({'met' if ok else 'MISSED'})"
            a_peer = f"{fmt(pa['p50_ms'], 0)} / {fmt(pa['p95_ms'], 0)}" if pa else "not measured"
            a_ratio = f"peer/Comptoir {pa['p50_ms'] / a['p50_ms']:.0f}×" if pa else "–"
            lines.append(
                f"| `GET /api/v1/tickets?status=open`, {size:,} tickets: p50 / p95 ms | "
                f"**{a['p50_ms']:.1f} / {a['p95_ms']:.1f}** | {a_peer} | {a_ratio} | {a_target} |"
            )
    lines.append(
        f"| peak RSS of the benchmark process, MiB | {res['peak_rss_mib']:.0f} | "
        f"{fmt(peer.get('peak_rss_mib'), 0)} | | |"
    )
    if not peer["source"].startswith("peer, recorded"):
        rec = PEER_RECORDED
        lines += [
            "",
            f"For reference, {rec['source']}: API {rec['create_api_tickets_per_s']} tickets/s, form "
            f"{rec['create_form_tickets_per_s']} tickets/s, open-ticket list at 100k p50 "
            f"{rec['list']['100000']['p50_ms']} ms / p95 {rec['list']['100000']['p95_ms']} ms. A live "
            "run shares this run's machine load, so its ratios are the ones to trust.",
        ]
    lines += [
        "",
        "Peer list figures are its DataTables JSON call for open tickets by priority (what an agent "
        "waits for), and its REST list `GET /api/tickets/?status=1,2`. The peer was measured at "
        "10k and 100k tickets only.",
        "",
        "## a. Creation throughput",
        "",
        f"N = {cr['n']} tickets per path per round, {cr['rounds']} rounds, on a freshly migrated database.",
        "",
        "| path | tickets/s per round | median | per-call p50 / p95 ms |",
        "|---|---|---|---|",
        "| API: `POST /api/v1/tickets` + `POST /api/v1/tickets/{ref}/messages` (public) | "
        + ", ".join(f"{r['tickets_per_s']:.1f}" for r in cr["api"])
        + f" | **{api_rate:.1f}** | ticket "
        f"{statistics.median(r['ticket_post_p50_ms'] for r in cr['api']):.2f} / "
        f"{statistics.median(r['ticket_post_p95_ms'] for r in cr['api']):.2f}; reply "
        f"{statistics.median(r['reply_post_p50_ms'] for r in cr['api']):.2f} / "
        f"{statistics.median(r['reply_post_p95_ms'] for r in cr['api']):.2f} |",
        "| public form `POST /` | "
        + ", ".join(f"{r['tickets_per_s']:.1f}" for r in cr["form"])
        + f" | **{form_rate:.1f}** | {statistics.median(r['post_p50_ms'] for r in cr['form']):.2f} / "
        f"{statistics.median(r['post_p95_ms'] for r in cr['form']):.2f} |",
        "",
        "SQL statements per request (one captured request each):",
        "",
        "| request | statements | by kind |",
        "|---|---|---|",
    ]
    for key, prof in res["write_profile"].items():
        mix = ", ".join(f"{k} {v}" for k, v in sorted(prof["mix"].items(), key=lambda kv: -kv[1]))
        lines.append(f"| {key} | {prof['statements']} | {mix} |")
    lines += [
        "",
        "## b. First page of open tickets",
        "",
        f"{res['reps']} requests per series, {res['rounds']} series; medians of the series' p50 "
        "and p95. Rows loaded with bench/generate.py (40 % open, 2 years, ~70 % assigned, one "
        "customer message + a public reply on ~54 %), then `ANALYZE`.",
        "",
        "| tickets | load (tickets/s) | DB MiB | request | p50 ms | p95 ms | SQL/request "
        "| slowest SQL ms | rows |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "desk_all": "desk `/desk/?scope=all`",
        "desk_all_p2": "desk, 2nd page (cursor)",
        "desk_team": "desk `/desk/` (agent's team)",
        "api_open": "API `?status=open`",
        "api_open_p2": "API `?status=open`, 2nd page",
    }
    for size in res["sizes"]:
        load = res["load"].get(str(size), {})
        for key, r in res["reads"].get(str(size), {}).items():
            lines.append(
                f"| {size:,} | {fmt(load.get('tickets_per_s'), 0)} | {fmt(load.get('db_mib'), 0)} | "
                f"{names.get(key, key)} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['sql_queries']} | "
                f"{fmt(r['slowest_sql_ms'], 2)} | {r['rows']} |"
            )
    if len(res["sizes"]) > 1:
        small, big = str(res["sizes"][0]), str(res["sizes"][-1])
        lines += ["", f"Growth from {int(small):,} to {int(big):,} tickets (p95 ratio; 1.0 = flat):", ""]
        for key in names:
            a, b = res["reads"].get(small, {}).get(key), res["reads"].get(big, {}).get(key)
            if a and b:
                lines.append(f"- {names[key]}: {b['p95_ms'] / a['p95_ms']:.2f}×")
    big = str(res["sizes"][-1]) if res["sizes"] else None
    if big and res["reads"].get(big):
        lines += ["", f"Query plans of the ticket SELECTs at {int(big):,} tickets:", ""]
        for key, r in res["reads"][big].items():
            for sql, plan in zip(r["ticket_sql"], r["plans"], strict=False):
                where = sql[sql.find(" WHERE ") :] if " WHERE " in sql else sql[-300:]
                lines.append(f"- {names.get(key, key)}: `SELECT … FROM tickets_ticket … {where[:300]}`")
                lines += [f"  - `{p}`" for p in plan]
    lines += [
        "",
        "## c. Memory",
        "",
        f"Peak RSS (`ru_maxrss`) of the whole benchmark process: **{res['peak_rss_mib']:.0f} MiB** "
        "(it includes the generator's 20,000-ticket batches). RSS after each phase: "
        + ", ".join(f"{k} {v:.0f} MiB" for k, v in res["rss_mib"].items())
        + ".",
        "",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Comptoir foundation benchmark")
    ap.add_argument("--quick", action="store_true", help="smoke run: N=50, sizes 1000,3000, 5 reps")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--create-n", type=int, default=2000)
    ap.add_argument("--create-rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3, help="series per read endpoint")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--src",
        default=str(ROOT),
        help="where to import comptoir from; HEAD = a snapshot of the last commit (default: this checkout)",
    )
    ap.add_argument("--task-backend", default="django_tasks.backends.dummy.DummyBackend")
    ap.add_argument("--peer", action="store_true", help="run shared/peer-bench/run.sh --sqlite-wal live")
    ap.add_argument("--peer-args", default="", help="extra arguments for the live peer run")
    ap.add_argument("--peer-json", default="", help="a peer results-*.json to compare with")
    ap.add_argument("--peer-dir", type=Path, default=DEFAULT_PEER_DIR)
    ap.add_argument("--render", default="", help="only re-render the markdown of a results JSON file")
    ap.add_argument(
        "--out", default="", help="results name (default: foundation, quick runs: foundation-quick)"
    )
    args = ap.parse_args(argv)
    if args.render:
        path = Path(args.render)
        path.with_suffix(".md").write_text(render_md(json.loads(path.read_text())))
        log(f"rendered {path.with_suffix('.md')}")
        return
    if args.quick:
        args.create_n, args.create_rounds, args.reps, args.rounds = 50, 1, 5, 1
        if args.sizes == ap.get_default("sizes"):
            args.sizes = "1000,3000"
        if args.peer and not args.peer_args:
            args.peer_args = "--quick"
    out_name = args.out or ("foundation-quick" if args.quick else "foundation")
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    command = " ".join([".venv/bin/python", "bench/run.py", *(sys.argv[1:] if argv is None else argv)])

    source = use_source(args.src)
    setup(args)
    import django
    from django.test import Client

    from bench.generate import ensure_staff, generate
    from comptoir.accounts.services import api_token_create

    res: dict = {
        "command": command,
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "django": django.get_version(),
        "task_backend": args.task_backend,
        "source": source,
        "sizes": sizes,
        "reps": args.reps,
        "rounds": args.rounds,
        "loadavg": {"start": loadavg()},
        "rss_mib": {},
    }
    res["migrate_s"] = reset_db()
    res["db"] = db_info()
    log(f"code measured: {source['tree']}")
    log(
        f"Comptoir benchmark: Django {res['django']} on {res['db']['version']} "
        f"(journal_mode={res['db'].get('journal_mode')}, synchronous={res['db'].get('synchronous')}); "
        f"task backend {args.task_backend} (outbox sends are not run inline); load {res['loadavg']['start']}"
    )

    def clients() -> tuple:
        staff = ensure_staff()
        from comptoir.accounts.models import User

        agent = User.objects.get(pk=staff["teams"][0]["agents"][0])
        token = api_token_create(user=agent)
        agent_client = Client()
        agent_client.force_login(agent)
        headers = {"authorization": f"Bearer {token}"}
        return agent_client, Client(headers=headers), headers, Client()

    rng = random.Random(args.seed)
    # ---------------- a. creation ----------------
    agent_client, api, token_headers, anon = clients()
    r = anon.get("/")
    assert r.status_code == 200, r.status_code
    res["write_profile"] = write_path_profile(api, anon, rng)
    api_runs, form_runs = [], []
    for rnd in range(args.create_rounds):
        r_api = bench_create_api(api, rng, args.create_n, f"a{rnd}")
        clear_task_backend()
        api_runs.append(r_api)
        log(
            f"create via API round {rnd + 1}: {r_api['tickets_per_s']:.1f} tickets/s (ticket POST p50 "
            f"{r_api['ticket_post_p50_ms']:.2f} ms, reply POST p50 {r_api['reply_post_p50_ms']:.2f} ms)"
        )
        r_form = bench_create_form(anon, rng, args.create_n, f"f{rnd}")
        clear_task_backend()
        form_runs.append(r_form)
        log(
            f"create via form round {rnd + 1}: {r_form['tickets_per_s']:.1f} tickets/s "
            f"(p50 {r_form['post_p50_ms']:.2f} ms)"
        )
    res["create"] = {
        "n": args.create_n,
        "rounds": args.create_rounds,
        "api": api_runs,
        "form": form_runs,
        "api_tickets_per_s_median": statistics.median(x["tickets_per_s"] for x in api_runs),
        "form_tickets_per_s_median": statistics.median(x["tickets_per_s"] for x in form_runs),
    }
    res["rss_mib"]["after_create"] = rss_mib()

    # ---------------- b. reads ----------------
    reset_db()  # exact sizes: the read tables hold generated tickets only
    agent_client, api, token_headers, anon = clients()
    res["loadavg"]["before_reads"] = loadavg()
    res["reads"], res["load"] = {}, {}
    loaded = 0
    for size in sizes:
        stats = generate(size - loaded, seed=args.seed + size)
        loaded = size
        stats["db_mib"] = db_size_mib()
        stats["loadavg"] = loadavg()
        res["load"][str(size)] = stats
        log(
            f"{size:,} tickets loaded ({stats['tickets_per_s']:,.0f} tickets/s), DB {stats['db_mib']:.0f} MiB"
        )
        res["reads"][str(size)] = bench_reads(
            agent_client, api, token_headers, args.reps, args.rounds, f"{size:,}"
        )
        res["rss_mib"][f"after_reads_{size}"] = rss_mib()
    res["loadavg"]["end"] = loadavg()
    res["peak_rss_mib"] = peak_rss_mib()
    log(f"peak RSS: {res['peak_rss_mib']:.0f} MiB")

    # ---------------- d. the peer ----------------
    res["peer"] = peer_results(args)
    res["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    peer = res["peer"]
    log(f"\npeer: {peer['source']}")
    api_rate = res["create"]["api_tickets_per_s_median"]
    form_rate = res["create"]["form_tickets_per_s_median"]
    if peer.get("create_api_tickets_per_s"):
        log(
            f"create via API : Comptoir {api_rate:8.1f} tickets/s | "
            f"peer {peer['create_api_tickets_per_s']:6.1f} | "
            f"ratio {api_rate / peer['create_api_tickets_per_s']:.1f}× (target ≥ {TARGET_API_RATIO:.0f}×)"
        )
    if peer.get("create_form_tickets_per_s"):
        log(
            f"create via form: Comptoir {form_rate:8.1f} tickets/s | "
            f"peer {peer['create_form_tickets_per_s']:6.1f} | "
            f"ratio {form_rate / peer['create_form_tickets_per_s']:.1f}×"
        )
    for size in sizes:
        d = res["reads"][str(size)]["desk_all"]
        p = peer.get("list", {}).get(str(size))
        extra = (
            f" | peer p50 {p['p50_ms']:.0f} ms p95 {p['p95_ms']:.0f} ms "
            f"({p['p50_ms'] / d['p50_ms']:.1f}× Comptoir's time)"
            if p
            else ""
        )
        log(
            f"open-ticket list, {size:>9,} tickets: Comptoir desk p50 {d['p50_ms']:.1f} ms "
            f"p95 {d['p95_ms']:.1f} ms{extra}"
        )

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{out_name}.json").write_text(json.dumps(res, indent=2, default=str))
    (RESULTS_DIR / f"{out_name}.md").write_text(render_md(res))
    log(f"results written to bench/results/{out_name}.json and .md")


if __name__ == "__main__":
    main()
