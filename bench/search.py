"""Search benchmark: p50/p95 of ``search.selectors.search`` (ranked ids, tickets, snippets) over
tickets of three messages each (customer message, public reply, internal note).

Usage (a fresh data directory; SQLite unless COMPTOIR_DATABASE_URL says otherwise)::

    COMPTOIR_DATA_DIR=$(mktemp -d) .venv/bin/python bench/search.py 1000000

Loads the tickets with ``bench/generate.py`` (bulk SQL), adds what each ticket lacks to have
three messages, builds the index with ``search_reindex`` (timed), then runs each query of
``QUERIES`` ``--rounds`` times as an agent. Writes bench/results/search.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate, setup_django  # noqa: E402

# (kind, query): common words, rare words, accents and endings, phrases, filters, references.
QUERIES = [
    ("common word", "facture"),
    ("common word", "bonjour"),
    ("common word (English)", "billing"),
    ("accent-less", "electricite"),
    ("two words", "compteur clignote"),
    ("two words (English)", "meter error"),
    ("phrase", '"plus d\'électricité"'),
    ("rare word", "emploi"),
    ("prefix", "déménag*"),
    ("filter + word", "status:open facture"),
    ("filter + word", "team:billing payer"),
    ("filter + word", "priority:P1 courant"),
    ("filters only", "status:open team:outages"),
    ("reference", "CPT-{ref}"),
    ("customer email", "from:{email}"),
    ("customer email + word", "from:{email} merci"),
    ("customer name", "{name}"),
    ("note text", "rappeler client"),
    ("no match", "zzyzx"),
]
NOTES = {
    "fr": ["Rappeler le client demain matin.", "Vérifié le dossier : relevé du compteur en attente.",
           "Escaladé à l'équipe facturation."],
    "en": ["Call the customer back tomorrow.", "Checked the account: meter reading pending.",
           "Escalated to the billing team."],
}  # fmt: skip


def top_up_messages(seed: int = 1) -> int:
    """Give every ticket three messages: a public reply where missing, then an internal note."""
    from django.db import connection, transaction

    from comptoir.console.demo_data import reply_text
    from comptoir.tickets.models import Message, Ticket

    rng = random.Random(seed)
    table = Message._meta.db_table
    cols = ["id", "ticket_id", "kind", "author_id", "channel", "body", "body_html", "created_at",
            "external_id", "auto_submitted", "request_fingerprint", "hold", "hold_reason", "held_changes"]  # fmt: skip
    with connection.cursor() as c:
        c.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608
        next_id = (c.fetchone()[0] or 0) + 1
    added, last = 0, 0
    vendor = connection.vendor
    while True:
        with connection.cursor() as c:
            c.execute(
                f'SELECT t.id, t.language, t.created_at, COUNT(m.id) FROM "{Ticket._meta.db_table}" t'  # noqa: S608
                f' LEFT JOIN "{table}" m ON m.ticket_id = t.id WHERE t.id > %s GROUP BY t.id, t.language, t.created_at'
                " ORDER BY t.id LIMIT 20000",
                [last],
            )
            rows = c.fetchall()
        if not rows:
            break
        new = []
        for tid, lang, created, count in rows:
            when = created
            if count < 2:
                new.append(
                    (
                        next_id,
                        tid,
                        "public",
                        None,
                        "web",
                        reply_text(rng, lang, "Client"),
                        "",
                        when,
                        "",
                        False,
                        "",
                        "",
                        "",
                        "{}",
                    )
                )
                next_id += 1
            new.append(
                (
                    next_id,
                    tid,
                    "internal",
                    None,
                    "web",
                    rng.choice(NOTES[lang]),
                    "",
                    when,
                    "",
                    False,
                    "",
                    "",
                    "",
                    "{}",
                )
            )
            next_id += 1
        with transaction.atomic(), connection.cursor() as c:
            names = ", ".join(f'"{x}"' for x in cols)
            if vendor == "postgresql":
                with c.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in new:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(cols))
                c.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', new)  # noqa: S608
        added += len(new)
        last = rows[-1][0]
    if vendor == "postgresql":
        with connection.cursor() as c:
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
            )
    return added


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n_tickets", type=int, nargs="?", default=100_000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "search"))
    ap.add_argument(
        "--queries-only",
        action="store_true",
        help="the data and index are already loaded (an earlier run): measure the queries again, "
        "keeping the load timings recorded in --out's .json",
    )
    args = ap.parse_args(argv)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from comptoir.accounts.models import User
    from comptoir.customers.models import Customer, Identity
    from comptoir.search.selectors import search
    from comptoir.search.services import search_reindex
    from comptoir.tickets.models import Message, Ticket

    call_command("migrate", verbosity=0)
    timings: dict[str, float] = {}
    out = Path(args.out)
    if args.queries_only:
        timings = json.loads(out.with_suffix(".json").read_text())["timings"]
    else:
        t = time.perf_counter()
        have = Ticket.objects.count()
        if have < args.n_tickets:
            generate(args.n_tickets - have, analyze=False)
        timings["generate_s"] = time.perf_counter() - t
        t = time.perf_counter()
        added = top_up_messages()
        timings["top_up_s"] = time.perf_counter() - t
        print(f"added {added:,} messages in {timings['top_up_s']:.0f}s", flush=True)
        t = time.perf_counter()
        counts = search_reindex(batch=5000, verbose=True)
        timings["index_s"] = time.perf_counter() - t
        print(f"indexed {counts} in {timings['index_s']:.0f}s", flush=True)
        with connection.cursor() as c:
            c.execute("ANALYZE")
    n_tickets, n_messages = Ticket.objects.count(), Message.objects.count()
    agent = User.objects.filter(is_agent=True, is_active=True).order_by("pk").first()
    rng = random.Random(7)
    picked = (
        Ticket.objects.filter(pk__gte=rng.randint(1, n_tickets))
        .order_by("pk")
        .values_list("customer_id", flat=True)[:1]
    )
    sample = Customer.objects.get(pk=picked[0])
    email = Identity.objects.filter(customer=sample, kind="email").values_list("value", flat=True).first()
    fill = {"ref": f"{rng.randint(1, n_tickets):06d}", "email": email, "name": sample.name}
    per_query = []
    every: list[float] = []
    for kind, template in QUERIES:
        q = template.format(**fill)
        search(actor=agent, q=q)  # warm-up
        times = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            found = search(actor=agent, q=q)
            times.append((time.perf_counter() - t) * 1000)
        every += times
        per_query.append({"kind": kind, "q": q, "hits": len(found.tickets), "customers": len(found.customers),
                          "p50_ms": statistics.median(times), "p95_ms": pct(times, 95)})  # fmt: skip
        print(
            f"{kind:24} {q!r:40} hits={len(found.tickets):3} p50={per_query[-1]['p50_ms']:.1f} p95={per_query[-1]['p95_ms']:.1f}",
            flush=True,
        )
    result = {
        "vendor": connection.vendor, "tickets": n_tickets, "messages": n_messages, "rounds": args.rounds,
        "p50_ms": statistics.median(every), "p95_ms": pct(every, 95), "target_p95_ms": 50,
        "timings": timings, "queries": per_query, "cpu_count": os.cpu_count(),
    }  # fmt: skip
    out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Search benchmark",
        "",
        f"`{connection.vendor}`, {n_tickets:,} tickets, {n_messages:,} messages (three per ticket: the customer's,"
        " a public reply, an internal note), one agent; `search.selectors.search` end to end (parse, ranked ids,"
        f" ticket rows, highlighted snippets), {args.rounds} runs per query after one warm-up.",
        "",
        f"**All queries: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms** (target p95 ≤ 50 ms).",
        "",
        f"Load: generate {timings['generate_s']:.0f} s, top-up to three messages {timings['top_up_s']:.0f} s,"
        f" index build (`comptoir search reindex`) {timings['index_s']:.0f} s.",
        "",
        "| kind | query | tickets found (≤ 20) | p50 ms | p95 ms |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for r in per_query:
        lines.append(f"| {r['kind']} | `{r['q']}` | {r['hits']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |")
    lines += [
        "",
        f"Command: `COMPTOIR_DATA_DIR=$(mktemp -d) .venv/bin/python bench/search.py {n_tickets}`",
        "",
    ]
    out.with_suffix(".md").write_text("\n".join(lines))
    print(f"p50={result['p50_ms']:.1f}ms p95={result['p95_ms']:.1f}ms -> {out}.md", flush=True)


if __name__ == "__main__":
    main()
