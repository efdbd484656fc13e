"""Benchmark data generator: realistic bilingual tickets, loaded fast into the configured database.

Usage (loads into whatever COMPTOIR_DATABASE_URL / COMPTOIR_DATA_DIR point at; migrates first)::

    .venv/bin/python bench/generate.py 1000000 [--seed 1] [--no-analyze]

From Python (Django already set up)::

    from bench.generate import generate
    stats = generate(100_000, seed=1)

Each call *adds* ``n_tickets`` tickets (ids continue after the current maximum), so a benchmark can
grow one table through several sizes. Rows are written with ``executemany`` (SQLite) or ``COPY``
(PostgreSQL) in batches of 20,000 tickets, one transaction per batch, bypassing the ORM and the
intake pipeline: what is measured later is reading them, not writing them.

What one call writes:

- ``ceil(n/3)`` customers (55 % French, 45 % English), each with one email identity;
- ``n`` tickets, ``reference = CPT-%06d`` of the id, ``tracking_uid`` a version-4 UUID, version 1,
  created over the last two years in id order; status 10 % new, 15 % open, 10 % waiting on the
  customer, 5 % waiting internally (40 % ``is_open``), 25 % resolved, 35 % closed; priority
  P1 5 %, P2 15 %, P3 60 %, P4 20 %; ~70 % assigned to an agent of the ticket's team;
- one customer message per ticket (``ticket_text`` of ``comptoir.console.demo_data``), plus an
  agent's public reply (``reply_text``) on ~54 % of them, which sets ``first_response_at``.

Teams (Support FR, Support EN, Billing, Outages, Technical L2) and 6 agents per team are created
through ``comptoir.accounts.services.agent_create`` when missing.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TEAMS = [  # name, level, language it mostly serves (None: both)
    ("Support FR", 1, "fr"),
    ("Support EN", 1, "en"),
    ("Billing", 1, None),
    ("Outages", 1, None),
    ("Technical", 2, None),
]
AGENTS_PER_TEAM = 6
STATUSES = ["new", "open", "waiting_customer", "waiting_internal", "resolved", "closed"]
STATUS_WEIGHTS = [10, 15, 10, 5, 25, 35]
OPEN_STATUSES = {"new", "open", "waiting_customer", "waiting_internal"}
# Share of tickets in each status that carry a public agent reply (overall ~54 %).
REPLY_SHARE = {
    "new": 0.0,
    "open": 0.5,
    "waiting_customer": 0.9,
    "waiting_internal": 0.3,
    "resolved": 0.6,
    "closed": 0.6,
}
PRIORITIES = ["P1", "P2", "P3", "P4"]
PRIORITY_WEIGHTS = [5, 15, 60, 20]
CHANNELS = ["web", "email", "api", "phone", "sms", "chat"]
CHANNEL_WEIGHTS = [45, 35, 8, 6, 4, 2]
SPAN = timedelta(days=730)


def _table(values: list, weights: list[int]) -> list:
    """A 100-slot lookup table: ``table[int(random() * 100)]`` draws with the given weights."""
    assert sum(weights) == 100
    return [v for v, w in zip(values, weights, strict=True) for _ in range(w)]


STATUS_TABLE = _table(STATUSES, STATUS_WEIGHTS)
PRIORITY_TABLE = _table(PRIORITIES, PRIORITY_WEIGHTS)
CHANNEL_TABLE = _table(CHANNELS, CHANNEL_WEIGHTS)
DUE_HOURS = {"P1": 4, "P2": 8, "P3": 24, "P4": 72}
DUE_NEVER_NAIVE = datetime(9999, 12, 31)
BATCH = 20_000
TICKETS_PER_CUSTOMER = 3


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def ensure_staff() -> dict:
    """Teams and agents the tickets are routed and assigned to (created once, then reused)."""
    from comptoir.accounts.models import User
    from comptoir.accounts.services import agent_create
    from comptoir.routing.models import Team

    teams = []
    for t_index, (name, level, lang) in enumerate(TEAMS):
        agents = []
        for a in range(AGENTS_PER_TEAM):
            email = f"agent{t_index + 1}.{a + 1}@bench.comptoir.test"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = agent_create(
                    email=email, name=f"Agent {t_index + 1}.{a + 1}", team_name=name, level=level
                )
            agents.append(user.pk)
        team = Team.objects.get(name=name)
        if team.level != level:
            Team.objects.filter(pk=team.pk).update(level=level)
        teams.append({"id": team.pk, "name": name, "lang": lang, "agents": agents, "level": level})
    return {"teams": teams}


def _team_table(teams: list[dict], lang: str) -> list[dict]:
    """60 % to the team of the ticket's language, the rest shared by the other teams."""
    weights = [60 if t["lang"] == lang else 0 for t in teams]
    shared = [i for i, t in enumerate(teams) if t["lang"] is None]
    for n, i in enumerate(shared):
        weights[i] = 40 // len(shared) + (1 if n < 40 % len(shared) else 0)
    return _table(teams, weights)


def _max_id(cursor, table: str) -> int:
    cursor.execute(f'SELECT MAX(id) FROM "{table}"')
    return cursor.fetchone()[0] or 0


class _Writer:
    """executemany on SQLite (and other backends), COPY on PostgreSQL."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.vendor = connection.vendor

    def dt(self, value: datetime):  # type: ignore[no-untyped-def]
        # Values are naive UTC. SQLite stores Django's text form; PostgreSQL wants aware values.
        if self.vendor == "sqlite":
            return value.isoformat(" ")
        return value.replace(tzinfo=UTC)

    def uid(self, value: uuid.UUID):  # type: ignore[no-untyped-def]
        return value if self.vendor == "postgresql" else value.hex

    def write(self, cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)

    def reset_sequences(self, cursor, tables: list[str]) -> None:
        if self.vendor != "postgresql":
            return  # SQLite AUTOINCREMENT follows explicit ids by itself
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )


def generate(
    n_tickets: int,
    seed: int = 1,
    *,
    analyze: bool = True,
    batch: int = BATCH,
    verbose: bool = True,
) -> dict:
    """Add ``n_tickets`` tickets (with customers, identities and messages); return timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from comptoir.console.demo_data import NAMES, reply_text, ticket_text
    from comptoir.customers.models import Customer, Identity
    from comptoir.tickets.models import Message, Ticket

    rng = random.Random(seed)
    t_start = time.perf_counter()
    staff = ensure_staff()
    teams = staff["teams"]
    writer = _Writer(connection)
    tables = {
        "customer": Customer._meta.db_table,
        "identity": Identity._meta.db_table,
        "ticket": Ticket._meta.db_table,
        "message": Message._meta.db_table,
    }
    cols = {
        "customer": ["id", "created_at", "updated_at", "name", "language", "tier", "area"],
        "identity": ["id", "customer_id", "kind", "value", "created_at"],
        "ticket": [
            "id", "created_at", "updated_at", "reference", "subject", "status", "is_open",
            "priority", "category_id", "team_id", "assignee_id", "customer_id", "channel",
            "language", "version", "tracking_uid", "first_response_at", "resolved_at", "review_reason",
            "due_at", "sla_breached", "level", "analysing",
        ],
        "message": [
            "id", "ticket_id", "kind", "author_id", "channel", "body", "body_html", "created_at",
            "external_id", "auto_submitted", "request_fingerprint", "hold", "hold_reason",
            "held_changes",
        ],
    }  # fmt: skip
    first_names = {lang: [n.split()[0] for n in names] for lang, names in NAMES.items()}
    last_names = {lang: [n.split()[-1] for n in names] for lang, names in NAMES.items()}
    team_tables = {lang: _team_table(teams, lang) for lang in ("fr", "en")}
    now = timezone.now().astimezone(UTC).replace(tzinfo=None)
    start = now - SPAN
    with connection.cursor() as cursor:
        next_ids = {key: _max_id(cursor, table) + 1 for key, table in tables.items()}
    counts = dict.fromkeys(tables, 0)
    done = 0
    step = SPAN / max(n_tickets, 1)
    while done < n_tickets:
        k = min(batch, n_tickets - done)
        n_cust = math.ceil(k / TICKETS_PER_CUSTOMER)
        customers = []  # [id, lang, name, email, first_created]
        for _ in range(n_cust):
            cid = next_ids["customer"]
            next_ids["customer"] += 1
            lang = "fr" if rng.random() < 0.55 else "en"
            first, last = rng.choice(first_names[lang]), rng.choice(last_names[lang])
            domain = rng.choice(["example.com", "example.org", "exemple.fr", "courriel.ca"])
            email = f"{_ascii(first)}.{_ascii(last)}.{cid}@{domain}"
            customers.append([cid, lang, f"{first} {last}", email, None])
        tickets, messages = [], []
        for j in range(k):
            tid = next_ids["ticket"]
            next_ids["ticket"] += 1
            # Skewed: a few customers write often, most once or twice.
            cust = customers[int(n_cust * rng.random() ** 1.6)]
            lang = cust[1]
            created = start + step * (done + j + rng.random())
            if cust[4] is None or created < cust[4]:
                cust[4] = created
            rnd = rng.random
            status = STATUS_TABLE[int(rnd() * 100)]
            priority = PRIORITY_TABLE[int(rnd() * 100)]
            channel = CHANNEL_TABLE[int(rnd() * 100)]
            team = None
            if status != "new" or rnd() < 0.5:
                team = team_tables[lang][int(rnd() * 100)]
            assignee = None
            if team is not None and rnd() < (0.4 if status == "new" else 0.76):
                assignee = rng.choice(team["agents"])
            subject, body = ticket_text(rng, lang, cust[2])
            messages.append(
                (
                    next_ids["message"],
                    tid,
                    "customer",
                    None,
                    channel,
                    body,
                    "",
                    writer.dt(created),
                    "",
                    False,
                    "",
                    "",
                    "",
                    "{}",
                )
            )
            next_ids["message"] += 1
            updated = created
            first_response = resolved = None
            if rnd() < REPLY_SHARE[status]:
                first_response = min(created + timedelta(minutes=rng.randint(20, 48 * 60)), now)
                author = assignee or (rng.choice(team["agents"]) if team else teams[0]["agents"][0])
                messages.append(
                    (
                        next_ids["message"], tid, "public", author, "web",
                        reply_text(rng, lang, cust[2]), "", writer.dt(first_response), "", False, "", "", "", "{}",
                    )
                )  # fmt: skip
                next_ids["message"] += 1
                updated = first_response
            # Open tickets are due some business hours after arrival (earlier when urgent); the
            # others are done: DUE_NEVER, as ticket_sla_refresh stores it.
            if status in OPEN_STATUSES and status != "waiting_customer":
                due = created + timedelta(hours=DUE_HOURS[priority] * (0.5 + rnd()))
            else:
                due = DUE_NEVER_NAIVE
            if status in ("resolved", "closed"):
                resolved = min(updated + timedelta(minutes=rng.randint(10, 10 * 24 * 60)), now)
                updated = resolved
            tickets.append(
                (
                    tid, writer.dt(created), writer.dt(updated), f"CPT-{tid:06d}", subject[:255],
                    status, status in OPEN_STATUSES, priority, None,
                    team["id"] if team else None, assignee, cust[0], channel, lang, 1,
                    writer.uid(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    writer.dt(first_response) if first_response else None,
                    writer.dt(resolved) if resolved else None, "",
                    writer.dt(due), False, 2 if team is not None and team["level"] == 2 else 1, False,
                )
            )  # fmt: skip
        customer_rows, identity_rows = [], []
        for cid, lang, name, email, first_created in customers:
            when = writer.dt((first_created or now) - timedelta(minutes=1))
            customer_rows.append((cid, when, when, name, lang, "standard", ""))
            identity_rows.append((next_ids["identity"], cid, "email", email, when))
            next_ids["identity"] += 1
        with transaction.atomic(), connection.cursor() as cursor:
            writer.write(cursor, tables["customer"], cols["customer"], customer_rows)
            writer.write(cursor, tables["identity"], cols["identity"], identity_rows)
            writer.write(cursor, tables["ticket"], cols["ticket"], tickets)
            writer.write(cursor, tables["message"], cols["message"], messages)
        counts["customer"] += len(customer_rows)
        counts["identity"] += len(identity_rows)
        counts["ticket"] += len(tickets)
        counts["message"] += len(messages)
        done += k
        if verbose and (done % 100_000 == 0 or done == n_tickets):
            el = time.perf_counter() - t_start
            print(f"  generate: {done:,}/{n_tickets:,} tickets, {done / el:,.0f} tickets/s", flush=True)
    with connection.cursor() as cursor:
        writer.reset_sequences(cursor, list(tables.values()))
    load_s = time.perf_counter() - t_start
    analyze_s = 0.0
    if analyze:
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        analyze_s = time.perf_counter() - t
    stats = {
        "tickets": counts["ticket"],
        "messages": counts["message"],
        "customers": counts["customer"],
        "identities": counts["identity"],
        "seconds": load_s,
        "tickets_per_s": counts["ticket"] / load_s if load_s else 0.0,
        "rows_per_s": sum(counts.values()) / load_s if load_s else 0.0,
        "analyze_s": analyze_s,
        "vendor": connection.vendor,
        "seed": seed,
    }
    if verbose:
        print(
            f"generated {stats['tickets']:,} tickets, {stats['messages']:,} messages, "
            f"{stats['customers']:,} customers in {load_s:.1f}s: {stats['tickets_per_s']:,.0f} "
            f"tickets/s ({stats['rows_per_s']:,.0f} rows/s); ANALYZE {analyze_s:.1f}s",
            flush=True,
        )
    return stats


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n_tickets", type=int, nargs="?", default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after loading")
    ap.add_argument("--no-migrate", action="store_true", help="do not run migrate first")
    args = ap.parse_args(argv)
    setup_django()
    if not args.no_migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    generate(args.n_tickets, seed=args.seed, analyze=not args.no_analyze)


if __name__ == "__main__":
    main()
