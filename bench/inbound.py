"""Inbound email: raw RFC 822 bytes to stored, threaded ticket messages per second, and parse bounds.

Usage (from the repository root):
    .venv/bin/python bench/inbound.py [--n 1000] [--rounds 3] [--corpus-repeat 2] [--profile 300]

Three measures (issue 9, target 2: at least 200 messages/s on the bilingual workload, no message
more than 1 s of parsing):
  - throughput, each round on a freshly migrated SQLite database (WAL), one message at a time
    through ``comptoir.channels.email.ingest.email_receive`` (what the SMTP receiver, the IMAP
    poller and the webhook all call: keep the raw bytes, parse, thread, store, queue the
    acknowledgment), rounds alternating the two workloads:
      - bilingual: N generated French/English messages, a third of them replies (In-Reply-To the
        acknowledgment, from the same sender) that must join their ticket;
      - corpus: every message of tests/email/corpus/flanker (48, many broken), repeated;
    each message's time is split into phases (peek + store, parse, the common intake path) with
    the SQL statements of each, so what is left is visible;
  - parse times: the slowest single message of those workloads (``parse_email``), and each
    message of a torture set (tests/email/torture.py: hostile nesting, part counts, headers,
    sizes, HTML, encodings; flanker's own torture messages; a legitimate 20 MB attachment),
    wall and CPU time, best of three;
  - with ``--profile K``: the functions of the common intake path that cost most, under cProfile,
    over K bilingual messages;
  - with ``--baseline DIR`` (a copy of the code before a change: ``git archive <commit> | tar -x
    -C DIR``): the bilingual rounds alternate between that code and this one, each round in a
    fresh process, so both meet the same load on a shared machine. CPU time per message is
    recorded beside wall time: it moves less with other people's load.
Figures go to bench/results/inbound.json and bench/results/inbound.md.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder comes first on sys.path, where a file named like a standard module
# would shadow it (the HTTP benchmark was once bench/http.py): keep the folder off the path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from email.message import EmailMessage  # noqa: E402
from email.utils import format_datetime, make_msgid  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work" / "inbound"
RESULTS = ROOT / "bench" / "results"
CORPUS = ROOT / "tests" / "email" / "corpus" / "flanker" / "messages"
FLANKER_TORTURE = ("torture.eml", "enclosed-endless.eml", "long-header.eml")


def setup(code: Path = ROOT) -> None:
    """A fresh data folder, and Django set up from the code in ``code`` (this tree by default)."""
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings",
        COMPTOIR_DATA_DIR=str(WORK),
        COMPTOIR_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        # Production's task backend: the enrichment task row is written with each message (no
        # worker runs here; deliveries need none, the outbox is its own queue).
        COMPTOIR_TASK_BACKEND="django_tasks_db.DatabaseBackend",
    )
    os.environ.pop("COMPTOIR_DATABASE_URL", None)
    sys.path.insert(0, str(code))
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


class Phases:
    """Wraps the steps ``email_receive`` calls (looked up in its module at call time) to time each
    and count its SQL statements; the pipeline itself is unchanged."""

    STEPS = {
        "email_peek": "peek + store",
        "record_store": "peek + store",
        "parse_email": "parse",
        "record_process": "intake",
    }

    def __init__(self) -> None:
        self.ms: dict[str, float] = defaultdict(float)
        self.sql: dict[str, int] = defaultdict(int)
        self.phase = "other"
        self.last_parse_ms = 0.0

    def _count(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.sql[self.phase] += 1
        return execute(sql, params, many, context)

    @contextmanager
    def installed(self):  # type: ignore[no-untyped-def]
        from django.db import connection

        from comptoir.channels.email import ingest

        originals = {name: getattr(ingest, name) for name in self.STEPS}
        for name, func in originals.items():
            setattr(ingest, name, self._wrap(name, func))
        try:
            with connection.execute_wrapper(self._count):
                yield self
        finally:
            for name, func in originals.items():
                setattr(ingest, name, func)

    def _wrap(self, name, func):  # type: ignore[no-untyped-def]
        phase = self.STEPS[name]

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            outer, self.phase = self.phase, phase
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                elapsed = (time.perf_counter() - start) * 1000
                self.ms[phase] += elapsed
                if name == "parse_email":
                    self.last_parse_ms = elapsed
                self.phase = outer

        return timed


def run(messages: list[tuple[str, bytes]]) -> dict:
    from django.db import connection

    from comptoir.channels.email.ingest import email_receive
    from comptoir.intake.models import InboundRecord
    from comptoir.tickets.models import Message, Ticket

    fresh_db()
    connection.ensure_connection()
    times, parse = [], []
    by_kind: dict[str, dict] = defaultdict(
        lambda: {"n": 0, "ms": defaultdict(float), "sql": defaultdict(int)}
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    for name, raw in messages:
        phases = Phases()
        t = time.perf_counter()
        with phases.installed():
            email_receive(raw=raw, source="bench")
        times.append((time.perf_counter() - t) * 1000)
        parse.append((phases.last_parse_ms, name))
        kind = by_kind["reply" if b"\nIn-Reply-To:" in raw else "new"]
        kind["n"] += 1
        for phase, ms in phases.ms.items():
            kind["ms"][phase] += ms
        for phase, count in phases.sql.items():
            kind["sql"][phase] += count
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    by_status = {s: InboundRecord.objects.filter(status=s).count() for s in InboundRecord.Status.values}
    times.sort()
    slowest_parse = max(parse)
    return {
        "messages": len(messages),
        "per_second": round(len(messages) / elapsed, 1),
        "per_cpu_second": round(len(messages) / cpu, 1),
        "load_average": os.getloadavg()[0],
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 1),
        "slowest_parse_ms": round(slowest_parse[0], 1),
        "slowest_parse_message": slowest_parse[1],
        "per_message": {
            kind: {
                "messages": data["n"],
                "ms": {phase: round(ms / data["n"], 2) for phase, ms in sorted(data["ms"].items())},
                "sql": {phase: round(n / data["n"], 1) for phase, n in sorted(data["sql"].items())},
            }
            for kind, data in sorted(by_kind.items())
        },
        "records": by_status,
        "tickets": Ticket.objects.count(),
        "messages_stored": Message.objects.count(),
    }


def torture_times(cases: dict[str, bytes]) -> dict:
    """Best of three wall and CPU times of ``email_peek`` + ``parse_email`` on each message, and
    the bounds that applied."""
    from comptoir.channels.email.parsing import EmailParseError, email_peek, parse_email

    out = {}
    for name, raw in cases.items():
        wall, cpu, outcome = [], [], ""
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            email_peek(raw)
            try:
                parsed = parse_email(raw)
                outcome = "; ".join(map(str, parsed.limits)) or "read whole"
            except EmailParseError as exc:
                outcome = f"failed: {exc.reason[:80]}"
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        out[name] = {
            "bytes": len(raw),
            "wall_ms": round(min(wall), 1),
            "cpu_ms": round(min(cpu), 1),
            "bounds": outcome,
        }
    return out


def profile_intake(messages: list[bytes], top: int = 25) -> list[dict]:
    """The functions under the common intake path (``record_process``) that cost most, by
    cumulative time, over ``messages`` processed once on a fresh database."""
    from comptoir.channels.email.ingest import email_receive

    fresh_db()
    profiler = cProfile.Profile()
    profiler.enable()
    for raw in messages:
        email_receive(raw=raw, source="bench")
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "/comptoir/" not in filename or "/channels/email/" in filename:
            continue
        rows.append(
            {
                "function": f"{filename.split('/comptoir/', 1)[1]}:{line}({func})",
                "calls_per_message": round(nc / len(messages), 2),
                "ms_per_message": round(ct * 1000 / len(messages), 2),
                "share": round(ct / total, 3),
            }
        )
    rows.sort(key=lambda r: -r["ms_per_message"])
    return rows[:top]


def _round_of(code: Path, n: int) -> None:
    """One bilingual round of the code in ``code`` (this process), its figures as JSON on stdout."""
    global WORK
    WORK = ROOT / "bench" / "_work" / "inbound-round"
    setup(code)
    import comptoir

    assert Path(comptoir.__file__).resolve().is_relative_to(code), comptoir.__file__
    generated = [(f"bilingual #{i}", raw) for i, raw in enumerate(bilingual(n, seed=7))]
    # Once to warm up (models loaded on first use, caches, as in a process that has been running;
    # the in-process rounds get this from the rounds before them), then measured.
    run(generated)
    print(json.dumps(run(generated)))


def _round_in_process(code: Path, n: int) -> dict:
    """``_round_of`` in a fresh Python process (each round then starts alike, whichever code,
    and is measured after a first, unmeasured pass)."""
    done = subprocess.run(
        [sys.executable, __file__, "--round-of", str(code), "--n", str(n)],
        capture_output=True, text=True, check=True, cwd=code,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus-repeat", type=int, default=2)
    parser.add_argument("--profile", type=int, default=300, help="bilingual messages profiled; 0: none")
    parser.add_argument("--skip-torture", action="store_true", help="no torture set (e.g. to time old code)")
    parser.add_argument(
        "--baseline", type=Path, help="a copy of the code before a change: bilingual rounds alternate with it"
    )
    parser.add_argument("--round-of", type=Path, help=argparse.SUPPRESS)  # one bilingual round, as JSON
    args = parser.parse_args()
    if args.round_of is not None:
        _round_of(args.round_of, args.n)
        return
    setup()
    from tests.email import fixtures, torture

    corpus_files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    corpus = [(str(p.relative_to(CORPUS)), p.read_bytes()) for p in corpus_files]
    # Repeats differ by one header so they are new messages, not redeliveries of the same bytes.
    corpus_run = [
        (name, raw.replace(b"\n", f"\nX-Bench-Copy: {k}\n".encode(), 1))
        for k in range(args.corpus_repeat)
        for name, raw in corpus
    ]
    generated = bilingual(args.n, seed=7)
    generated_run = [(f"bilingual #{i}", raw) for i, raw in enumerate(generated)]
    results: dict[str, list] = {"bilingual": [], "corpus": []}
    if args.baseline is not None:
        results = {"bilingual (baseline)": [], **results}
    for _ in range(args.rounds):
        if args.baseline is not None:
            results["bilingual (baseline)"].append(_round_in_process(args.baseline.resolve(), args.n))
            results["bilingual"].append(_round_in_process(ROOT, args.n))
        else:
            results["bilingual"].append(run(generated_run))
        results["corpus"].append(run(corpus_run))
    summary = {
        name: {
            "median_per_second": statistics.median(r["per_second"] for r in rounds),
            "median_per_cpu_second": statistics.median(r["per_cpu_second"] for r in rounds),
            "slowest_parse_ms": max(r["slowest_parse_ms"] for r in rounds),
            "slowest_parse_message": max(rounds, key=lambda r: r["slowest_parse_ms"])[
                "slowest_parse_message"
            ],
            "rounds": rounds,
        }
        for name, rounds in results.items()
    }
    cases = torture.torture_cases()
    cases.update({f"flanker {n}": (CORPUS / n).read_bytes() for n in FLANKER_TORTURE})
    cases["20 MB attachment (legitimate)"] = fixtures.big_attachment()
    tortured = {} if args.skip_torture else torture_times(cases)
    profile = profile_intake(generated[: args.profile]) if args.profile else []
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.processor() or platform.machine()}, nproc={os.cpu_count()}",
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "command": "bench/inbound.py " + " ".join(sys.argv[1:]),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "inbound.json").write_text(
        json.dumps(
            {"meta": meta, "summary": summary, "torture": tortured, "intake_profile": profile}, indent=2
        )
    )
    lines = [
        "# Inbound email throughput and parse bounds",
        "",
        f"- Date: {meta['date']}; machine: {meta['machine']}; load average {meta['load_average']}",
        f"- Command: `.venv/bin/python {meta['command']}`; peak RSS {meta['peak_rss_mib']} MiB",
        "- Method: `email_receive` in-process, one message at a time (raw kept, parsed, threaded, "
        "stored, acknowledgment queued), SQLite WAL, fresh database per round, workloads alternated.",
    ]
    if args.baseline is not None:
        lines.append(
            f"- Baseline: the code in `{args.baseline}` (before the change); its bilingual rounds alternate "
            "with this code's, each round in a fresh process after an unmeasured warm-up pass (load average at "
            "the end of each round: "
            + "; ".join(
                f"{name} {[r['load_average'] for r in results[name]]}"
                for name in ("bilingual (baseline)", "bilingual")
            )
            + ")."
        )
    lines += [
        "",
        "## Throughput (target: 200 msg/s bilingual)",
        "",
        "msg/s CPU: messages per second of this process's CPU time, which other people's load on a shared "
        "machine moves less than wall time.",
        "",
        "| workload | messages | msg/s (median of rounds) | msg/s CPU (median) | p50 ms | p95 ms | slowest parse ms "
        "| records by status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, data in summary.items():
        last = data["rounds"][-1]
        lines.append(
            f"| {name} | {last['messages']} | **{data['median_per_second']}** | {data['median_per_cpu_second']} | "
            f"{last['p50_ms']} | {last['p95_ms']} | {data['slowest_parse_ms']} ({data['slowest_parse_message']}) "
            f"| {last['records']} |"
        )
    lines += [
        "",
        "## Where a message's time goes (last round; ms and SQL statements per message)",
        "",
        "peek + store: `email_peek` and `record_store` (keeping the raw bytes); parse: `parse_email`; "
        "intake: `record_process` (customer, threading, ticket, triage, SLA, history, acknowledgment).",
        "",
        "| workload | kind | messages | peek + store ms | parse ms | intake ms | SQL peek + store | SQL intake |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, data in summary.items():
        for kind, per in data["rounds"][-1]["per_message"].items():
            ms, sql = per["ms"], per["sql"]
            lines.append(
                f"| {name} | {kind} | {per['messages']} | {ms.get('peek + store', 0)} | {ms.get('parse', 0)} | "
                f"{ms.get('intake', 0)} | {sql.get('peek + store', 0)} | {sql.get('intake', 0)} |"
            )
    lines += [
        "",
        "## Parse time of hostile messages (target: at most 1 s each; `email_peek` + `parse_email`, best of 3)",
        "",
        "| message | MB | wall ms | CPU ms | bounds applied |",
        "|---|---|---|---|---|",
    ]
    for name, data in tortured.items():
        lines.append(
            f"| {name} | {data['bytes'] / 1e6:.1f} | {data['wall_ms']} | {data['cpu_ms']} | {data['bounds']} |"
        )
    if profile:
        lines += [
            "",
            f"## Common intake path, by cumulative time (cProfile, {args.profile} bilingual messages)",
            "",
            "| function | calls per message | ms per message (profiled) | share |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{r['function']}` | {r['calls_per_message']} | {r['ms_per_message']} | {r['share']:.0%} |"
            for r in profile
        ]
    (RESULTS / "inbound.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
