"""Suggestions on every ticket (issue 11, item 4): quality on a hand-written labelled set, and
latency with 1,000,000 tickets and 5,000 articles loaded.

Usage (from the repository root)::

    .venv/bin/python bench/suggestions.py                      # both parts, 1,000,000 tickets
    .venv/bin/python bench/suggestions.py --part quality       # the labelled set only (~2 min)
    .venv/bin/python bench/suggestions.py --part latency --size 200000
    .venv/bin/python bench/suggestions.py --render             # rewrite the .md from the .json

Each part runs in a child process with its own fresh SQLite database under
``bench/_work/suggestions/<part>/`` (``--keep`` reuses a loaded latency database), the dummy task
backend (nothing runs inline, no worker), and calls only the public names of
``comptoir.search.suggestions`` (/work/notes/suggestions-contract.md).

*Quality*: the articles of ``bench/data/suggestions/articles.json`` are written through
``knowledge.services.article_create`` (translations linked), the tickets of ``tickets.json``
opened with ``tickets.services.ticket_create``, answered with ``ticket_agent_message`` and
resolved with ``ticket_update``; every one is embedded with ``vector_index_article`` /
``vector_index_ticket`` (real USE-multilingual vectors). Each query of ``queries.json`` (a new
ticket's subject and message) is then run two ways: ``suggest(text=..., language=...)`` (pure
retrieval, top 10 kept), and as the desk sees it: the query opened as a ticket,
``ticket_suggestions_compute`` then ``ticket_suggestions(actor=<a supervisor>)`` (score floor
and visibility applied). Precision@5, recall@5 and MRR for articles and for similar tickets,
separately for same-language queries (a right answer exists in the query's language) and
cross-language ones (every right answer is in the other language), per split (``dev``;
``holdout``, never tuned on).

*Latency*: ``bench/generate.py`` loads N tickets (bulk SQL), 5,000 articles go through
``article_create``; article vectors are real embeddings; ticket vectors are synthetic (a pool of
distinct ticket texts embedded once, each eligible ticket given one of them plus Gaussian noise,
renormalised: embedding a million texts at ~200/s would take hours) and loaded with
``vectors_store``; centroids with ``vectors_train``. Then, over ``--samples`` random tickets:
the embedding of one ticket text, ``suggest()`` (embedding included) and
``ticket_suggestions_compute()`` (reads the ticket, embeds, retrieves, stores), p50/p95/max.

Writes bench/results/suggestions.md and .json.
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
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data" / "suggestions"
WORK = ROOT / "bench" / "_work" / "suggestions"
RESULTS = ROOT / "bench" / "results"
K = 5
KEEP = 10  # suggestions kept per query for MRR


# --- Common ---------------------------------------------------------------------------------------


def _env(part: str, keep: bool) -> Path:
    work = WORK / part
    if not keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings",
        COMPTOIR_DATA_DIR=str(work),
        COMPTOIR_SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        COMPTOIR_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
        COMPTOIR_RATELIMIT="0",
    )
    os.environ.pop("COMPTOIR_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return work


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 2),
        "p95": round(pct(values, 95), 2),
        "max": round(max(values), 2),
        "mean": round(statistics.fmean(values), 2),
    }


def _writer() -> Any:
    """A level-2 supervisor: may write articles, sees every ticket and article."""
    from comptoir.accounts.models import User
    from comptoir.accounts.services import agent_create

    email = "writer@bench.comptoir.test"
    user = User.objects.filter(email=email).first()
    return user or agent_create(
        email=email, name="Bench Writer", team_name="Technical", level=2, is_supervisor=True
    )


def _rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _ticket(customer_key: str, language: str, subject: str, body: str, cache: dict) -> Any:
    from comptoir.customers.services import CustomerData, customer_identify_or_create
    from comptoir.tickets.services import ticket_create

    customer = cache.get(customer_key)
    if customer is None:
        customer, _new = customer_identify_or_create(
            data=CustomerData(
                name=customer_key, email=f"{customer_key}@bench.comptoir.test", language=language
            )
        )
        cache[customer_key] = customer
    ticket, _message = ticket_create(
        customer=customer, subject=subject, body=body, channel="web", language=language
    )
    return ticket


# --- Quality --------------------------------------------------------------------------------------


def load_labelled() -> tuple[list[dict], list[dict], dict[str, list[dict]]]:
    articles = json.loads((DATA / "articles.json").read_text())["articles"]
    tickets = json.loads((DATA / "tickets.json").read_text())["tickets"]
    queries = json.loads((DATA / "queries.json").read_text())["splits"]
    return articles, tickets, queries


def _rank_metrics(found: list[Any], relevant: set[Any]) -> dict[str, float]:
    top = found[:K]
    hits = sum(1 for x in top if x in relevant)
    first = next((i + 1 for i, x in enumerate(found) if x in relevant), None)
    return {
        "p5": hits / K,
        "p5_norm": hits / min(K, len(relevant)) if relevant else 0.0,
        "r5": hits / len(relevant) if relevant else 0.0,
        "p1": 1.0 if found[:1] and found[0] in relevant else 0.0,
        "mrr": 1.0 / first if first else 0.0,
    }


def _mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {k: round(statistics.fmean(r[k] for r in rows), 3) for k in rows[0]} | {"queries": len(rows)}


def part_quality(args: argparse.Namespace) -> dict:
    _env("quality", keep=False)
    from django.db import transaction

    from comptoir.knowledge.services import ArticleData, article_create
    from comptoir.search import suggestions as sg
    from comptoir.tickets.services import ticket_agent_message, ticket_update

    articles, tickets, splits = load_labelled()
    writer = _writer()
    t0 = time.perf_counter()
    article_pk: dict[str, int] = {}
    # Originals first, then translations (``translation_of`` names an article already written).
    for art in sorted(articles, key=lambda a: bool(a.get("translation_of"))):
        with transaction.atomic():
            made = article_create(
                actor=writer,
                data=ArticleData(
                    title=art["title"], body=art["body"], language=art["language"], status="published",
                    visibility=art.get("visibility", "public"),
                    translation_of=article_pk[art["translation_of"]] if art.get("translation_of") else None,
                ),
            )  # fmt: skip
        article_pk[art["id"]] = made.pk
    customers: dict = {}
    ticket_pk: dict[str, int] = {}
    for i, tk in enumerate(tickets):
        with transaction.atomic():
            ticket = _ticket(f"customer{i % 70}", tk["language"], tk["subject"], tk["body"], customers)
            ticket_agent_message(ticket_id=ticket.pk, actor=writer, body=tk["resolution"], internal=False)
            ticket.refresh_from_db()
            ticket_update(ticket_id=ticket.pk, actor=writer, version=ticket.version, status="resolved")
        ticket_pk[tk["id"]] = ticket.pk
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    indexed_articles = sum(sg.vector_index_article(pk) for pk in article_pk.values())
    indexed_tickets = sum(sg.vector_index_ticket(pk) for pk in ticket_pk.values())
    index_s = time.perf_counter() - t0
    pk_article = {v: k for k, v in article_pk.items()}
    pk_ticket = {v: k for k, v in ticket_pk.items()}
    ref_ticket = {f"CPT-{v:06d}": k for k, v in ticket_pk.items()}
    lang_of = {a["id"]: a["language"] for a in articles} | {t["id"]: t["language"] for t in tickets}

    result: dict[str, Any] = {
        "articles": len(articles), "tickets": len(tickets), "indexed_articles": int(indexed_articles),
        "indexed_tickets": int(indexed_tickets), "load_s": round(load_s, 1), "index_s": round(index_s, 1),
        "splits": {},
    }  # fmt: skip
    for split, queries in splits.items():
        per: dict[str, dict[str, list]] = {}
        misses: list[dict] = []
        same_first = []
        other_lang_in_top = []
        for q in queries:
            rel_a, rel_t = set(q["articles"]), set(q["tickets"])
            group = "cross" if all(lang_of[x] != q["language"] for x in rel_a | rel_t) else "same"
            text = f"{q['subject']}\n{q['body']}".strip()
            found = sg.suggest(text=text, language=q["language"], limit=KEEP)
            got_a = [pk_article.get(pk) for pk, _s in found.articles]
            got_t = [pk_ticket.get(pk) for pk, _s in found.tickets]
            # The desk's path: the query is a new ticket; its stored suggestions, as a supervisor reads them.
            with transaction.atomic():
                qt = _ticket(f"asker-{q['id']}", q["language"], q["subject"], q["body"], customers)
            sg.ticket_suggestions_compute(qt.pk)
            shown = sg.ticket_suggestions(actor=writer, ticket=qt)
            desk_a = [pk_article.get(a["id"]) for a in shown["articles"]]
            desk_t = [ref_ticket.get(t["reference"]) for t in shown["similar_tickets"]]
            for name, got, rel in (
                ("suggest articles", got_a, rel_a), ("suggest tickets", got_t, rel_t),
                ("desk articles", desk_a, rel_a), ("desk tickets", desk_t, rel_t),
            ):  # fmt: skip
                m = _rank_metrics(got, rel)
                per.setdefault(name, {}).setdefault(group, []).append(m)
                per[name].setdefault("all", []).append(m)
            if group == "same" and any(lang_of[x] != q["language"] for x in rel_t):
                # "Across languages": does a right ticket in the other language make the first 5?
                other_lang_in_top.append(any(x in rel_t and lang_of[x] != q["language"] for x in got_t[:K]))
            if group == "same":
                # "Ticket's language first": is the best right article in the query's language?
                first_right = next((x for x in got_a if x in rel_a), None)
                if first_right is not None and any(lang_of[x] == q["language"] for x in rel_a):
                    same_first.append(lang_of[first_right] == q["language"])
            if not any(x in rel_a for x in got_a[:K]) or not any(x in rel_t for x in got_t[:K]):
                misses.append({
                    "query": q["id"], "language": q["language"], "group": group, "subject": q["subject"],
                    "articles_top3": got_a[:3], "tickets_top3": got_t[:3],
                    "articles_ok": any(x in rel_a for x in got_a[:K]), "tickets_ok": any(x in rel_t for x in got_t[:K]),
                })  # fmt: skip
        result["splits"][split] = {
            "queries": len(queries),
            "metrics": {
                name: {g: _mean_metrics(rows) for g, rows in groups.items()} for name, groups in per.items()
            },
            "same_language_first": round(statistics.fmean(same_first), 3) if same_first else None,
            "other_language_ticket_in_top5": round(statistics.fmean(other_lang_in_top), 3)
            if other_lang_in_top
            else None,
            "other_language_ticket_queries": len(other_lang_in_top),
            "misses": misses,
        }
    result["peak_rss_mib"] = _rss_mib()
    return result


# --- Latency --------------------------------------------------------------------------------------


def _article_texts(n: int, seed: int) -> list[tuple[str, str, str]]:
    """``n`` (language, title, body): the labelled articles recombined, so that every one differs."""
    rng = random.Random(seed)
    base = json.loads((DATA / "articles.json").read_text())["articles"]
    sentences: dict[str, list[str]] = {"fr": [], "en": []}
    for a in base:
        sentences[a["language"]] += [s.strip() + "." for s in a["body"].split(".") if len(s.strip()) > 20]
    out = []
    for i in range(n):
        a = base[i % len(base)]
        extra = " ".join(rng.sample(sentences[a["language"]], 2))
        out.append((a["language"], f"{a['title']} ({i // len(base) + 1})", f"{a['body']}\n\n{extra}"))
    return out


def _eligible_ticket_ids() -> list[tuple[int, str]]:
    """Resolved or closed, not merged, with a public reply that reached the customer: what
    ``vectors_reindex`` embeds."""
    from django.db.models import Exists, OuterRef

    from comptoir.tickets.models import Message, Ticket

    sent = Message.objects.filter(
        ticket_id=OuterRef("pk"), kind=Message.Kind.PUBLIC, hold=Message.Hold.NONE, held_for__isnull=True
    )
    qs = Ticket.objects.filter(status__in=("resolved", "closed"), merged_into__isnull=True).filter(
        Exists(sent)
    )
    return list(qs.order_by("pk").values_list("pk", "language"))


def part_latency(args: argparse.Namespace) -> dict:
    import numpy as np

    _env("latency", keep=args.keep)
    from django.db import connection, transaction

    from bench.generate import generate
    from comptoir.knowledge.models import Article
    from comptoir.knowledge.services import ArticleData, article_create
    from comptoir.nlp import embed
    from comptoir.search import suggestions as sg
    from comptoir.search.models import SuggestionVector
    from comptoir.tickets.models import Ticket

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    have = Ticket.objects.count()
    if have < args.size:
        generate(args.size - have, seed=1, analyze=False)
    timings["generate_s"] = time.perf_counter() - t0
    print(f"tickets: {Ticket.objects.count():,} ({timings['generate_s']:.0f}s)", flush=True)

    writer = _writer()
    t0 = time.perf_counter()
    have = Article.objects.count()
    for lang, title, body in _article_texts(args.articles, seed=2)[have:]:
        with transaction.atomic():
            article_create(
                actor=writer, data=ArticleData(title=title, body=body, language=lang, status="published",
                                               visibility="public", translation_of=None),
            )  # fmt: skip
    timings["articles_create_s"] = time.perf_counter() - t0
    print(f"articles: {Article.objects.count():,} ({timings['articles_create_s']:.0f}s)", flush=True)

    if args.revector or not args.keep or not SuggestionVector.objects.filter(kind="ticket").exists():
        # Articles: real embeddings, in batches, through vectors_store.
        t0 = time.perf_counter()
        arts = list(Article.objects.filter(status="published").order_by("pk"))
        for start in range(0, len(arts), 256):
            batch = arts[start : start + 256]
            vecs = embed.encode([sg.vector_texts_for_article(a) for a in batch])
            sg.vectors_store(
                [sg.VectorRow("article", a.pk, a.language, v) for a, v in zip(batch, vecs, strict=True)]
            )
        timings["article_vectors_s"] = time.perf_counter() - t0
        timings["article_embed_per_s"] = len(arts) / timings["article_vectors_s"]
        print(f"article vectors: {len(arts):,} ({timings['article_vectors_s']:.0f}s)", flush=True)

        # Tickets: a pool of distinct texts embedded once, then noise.
        eligible = _eligible_ticket_ids()
        rng = np.random.default_rng(3)
        pool_ids = [pk for pk, _l in random.Random(3).sample(eligible, min(args.pool, len(eligible)))]
        t0 = time.perf_counter()
        pool_texts = list(
            dict.fromkeys(sg.vector_texts_for_ticket(t) for t in Ticket.objects.filter(pk__in=pool_ids))
        )
        pool = embed.encode(pool_texts)
        timings["pool_embed_s"] = time.perf_counter() - t0
        timings["pool_texts"] = len(pool_texts)
        print(
            f"pool: {len(pool_texts):,} distinct texts embedded ({timings['pool_embed_s']:.0f}s)", flush=True
        )
        t0 = time.perf_counter()
        for start in range(0, len(eligible), 20_000):
            chunk = eligible[start : start + 20_000]
            vecs = pool[rng.integers(0, len(pool), len(chunk))] + rng.normal(
                0, args.noise, (len(chunk), pool.shape[1])
            )
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            sg.vectors_store(
                [sg.VectorRow("ticket", pk, lang, v) for (pk, lang), v in zip(chunk, vecs, strict=True)]
            )
            print(f"  ticket vectors {start + len(chunk):,}/{len(eligible):,} "
                  f"({time.perf_counter() - t0:.0f}s)", flush=True)  # fmt: skip
        timings["ticket_vectors_store_s"] = time.perf_counter() - t0
        for kind in ("article", "ticket"):
            t0 = time.perf_counter()
            lists = sg.vectors_train(kind)
            timings[f"train_{kind}_s"] = time.perf_counter() - t0
            timings[f"lists_{kind}"] = lists
            print(f"train {kind}: {lists} lists ({timings[f'train_{kind}_s']:.0f}s)", flush=True)
        with connection.cursor() as c:
            c.execute("ANALYZE")

    counts = {
        "tickets": Ticket.objects.count(),
        "articles": Article.objects.count(),
        "ticket_vectors": SuggestionVector.objects.filter(kind="ticket").count(),
        "article_vectors": SuggestionVector.objects.filter(kind="article").count(),
    }
    from django.db.models import Count

    sizes = sorted(
        SuggestionVector.objects.filter(kind="ticket")
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    lists = (
        {"lists": len(sizes), "p50": sizes[len(sizes) // 2], "p95": int(pct(sizes, 95)), "max": sizes[-1]}
        if sizes
        else {}
    )
    # Samples: random tickets of any status, their own problem text as the query.
    rnd = random.Random(11)
    n_max = counts["tickets"]
    ids = sorted({rnd.randint(1, n_max) for _ in range(args.samples * 2)})[: args.samples]
    sample = list(Ticket.objects.filter(pk__in=ids).only("id", "subject", "language"))
    rnd.shuffle(sample)
    texts = {t.pk: sg.vector_texts_for_ticket(t) for t in sample}
    for t in sample[:5]:  # warm-up: model load, centroid cache
        sg.suggest(text=texts[t.pk], language=t.language, exclude_ticket_id=t.pk)
        sg.ticket_suggestions_compute(t.pk)
    embed_ms, suggest_ms, compute_ms, probes_ms = [], [], [], {}
    for t in sample:
        s = time.perf_counter()
        embed.encode([texts[t.pk]])
        embed_ms.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        sg.suggest(text=texts[t.pk], language=t.language, exclude_ticket_id=t.pk)
        suggest_ms.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        sg.ticket_suggestions_compute(t.pk)
        compute_ms.append((time.perf_counter() - s) * 1000)
    for probes in args.probes:
        times = []
        for t in sample[: min(100, len(sample))]:
            s = time.perf_counter()
            sg.suggest(text=texts[t.pk], language=t.language, exclude_ticket_id=t.pk, probes=probes)
            times.append((time.perf_counter() - s) * 1000)
        probes_ms[str(probes)] = _ms(times)
    # What the inverted lists cost in recall: the first 5 similar tickets against an exhaustive
    # scan (every list probed), over the first ``--recall-queries`` samples.
    rss_before_recall = _rss_mib()
    recall: dict[str, Any] = {}
    if args.recall_queries:
        checked = sample[: args.recall_queries]
        exact, scan_ms = [], []
        for t in checked:
            s = time.perf_counter()
            found = sg.suggest(text=texts[t.pk], language=t.language, exclude_ticket_id=t.pk, probes=10**6)
            exact.append([pk for pk, _s in found.tickets])
            scan_ms.append((time.perf_counter() - s) * 1000)
        recall["exhaustive_scan_ms"] = _ms(scan_ms)
        for probes in sorted({1, 8, *args.probes}):
            hits = []
            for t, ref in zip(checked, exact, strict=True):
                found = sg.suggest(
                    text=texts[t.pk], language=t.language, exclude_ticket_id=t.pk, probes=probes
                )
                got = [pk for pk, _s in found.tickets]
                hits.append(len(set(got) & set(ref)) / max(1, len(ref)))
            recall[f"probes_{probes}"] = round(statistics.fmean(hits), 3)
        recall["queries"] = len(exact)
    return {
        "ivf_recall_at_5": recall,
        "counts": counts,
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "noise_sigma": args.noise,
        "samples": len(sample),
        "embed_one_ms": _ms(embed_ms),
        "suggest_ms": _ms(suggest_ms),
        "ticket_suggestions_compute_ms": _ms(compute_ms),
        "suggest_by_probes_ms": probes_ms,
        "ticket_list_sizes": lists,
        "db_size_mib": round(
            sum(f.stat().st_size for f in (WORK / "latency").glob("comptoir.sqlite3*")) / 2**20
        ),
        "peak_rss_mib": _rss_mib(),
        "peak_rss_before_exhaustive_mib": rss_before_recall,
    }


# --- Driver and report ----------------------------------------------------------------------------


def _machine() -> dict:
    return {
        "platform": platform.platform(), "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "cpu": next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                     if ln.startswith("model name")), platform.processor()),
    }  # fmt: skip


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def render(res: dict) -> str:
    lines = [
        "# Suggestions: quality and latency (issue 11, item 4)",
        "",
        f"Machine: {res['machine']['cpu']}, {res['machine']['cpu_count']} cores, {res['machine']['platform']},"
        f" Python {res['machine']['python']}; commit {res['commit']} plus edits in progress. Other sessions"
        " share the 2 cores: a load average above 2 makes the latencies pessimistic. Each part says its run.",
        "",
    ]

    def run_line(part: dict) -> list[str]:
        r = part.get("run")
        if not r:
            return []
        return [
            f"Run {r['date']}: `{r['command']}`; load average (1, 5, 15 min) {r['load_start']} at the start,"
            f" {r['load_end']} at the end; {part.get('wall_s')} s.",
            "",
        ]

    q = res.get("quality")
    if q:
        lines += [
            "## Quality (labelled set, `bench/data/suggestions/`)",
            "",
            *run_line(q),
            f"{q['articles']} articles and {q['tickets']} resolved tickets (French and English, power utility,"
            " payments, IT service desk), written through the real services and embedded with"
            " `vector_index_article` / `vector_index_ticket` (USE-multilingual v3)."
            f" Load {q['load_s']} s, embedding {q['index_s']} s. A query is a new ticket's subject and message;"
            " its right answers are the articles and resolved tickets of the same problem, in any language."
            " *same*: at least one right answer is in the query's language; *cross*: every right answer is in"
            " the other language (a French query about a problem documented only in English, and the reverse).",
            "",
            "- `suggest`: `suggest(text=..., language=...)`, pure retrieval (no floor), top 10 kept.",
            "- `desk`: the query opened as a ticket, `ticket_suggestions_compute` then `ticket_suggestions`"
            " as a supervisor: what the desk and the API show (score floor, visibility, at most 5).",
            "",
            "P@5 counts right answers among the first 5 over 5 (capped by how many right answers exist: most"
            " problems have 1-2 articles, so an article P@5 of 0.4 can be perfect); *P@5 norm.* divides by"
            " min(5, right answers) instead; R@5 = right answers in the first 5 over all right answers;"
            " P@1 = the first is right; MRR over the first 10.",
            "",
        ]
        for split, s in q["splits"].items():
            tuned = (
                "never tuned on"
                if split == "holdout"
                else "nothing in the method was tuned on it by this bench"
            )
            lines += [
                f"### Split `{split}`: {s['queries']} queries ({tuned})",
                "",
                "| what | queries | P@5 | P@5 norm. | R@5 | P@1 | MRR |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
            ]
            for name, groups in s["metrics"].items():
                for g in ("all", "same", "cross"):
                    m = groups.get(g)
                    if not m:
                        continue
                    lines.append(
                        f"| {name}, {g} | {m['queries']} | {m['p5']:.3f} | {m['p5_norm']:.3f} | {m['r5']:.3f} |"
                        f" {m['p1']:.3f} | {m['mrr']:.3f} |"
                    )
            if s.get("same_language_first") is not None:
                lines += [
                    "",
                    f"Same-language queries whose best-ranked right article is in the query's language:"
                    f" {s['same_language_first']:.1%}.",
                ]
            if s.get("other_language_ticket_in_top5") is not None:
                lines += [
                    "",
                    f"Same-language queries on a problem solved in both languages ({s['other_language_ticket_queries']}):"
                    f" a right ticket in the other language among the first 5 similar tickets:"
                    f" {s['other_language_ticket_in_top5']:.1%}.",
                ]
            lines += ["", f"Queries with no right article or no right ticket in the first 5: {len(s['misses'])}"
                      " (listed in the .json).", ""]  # fmt: skip
    lat = res.get("latency")
    if lat:
        c, t = lat["counts"], lat["timings"]
        lines += [
            "## Latency",
            "",
            *run_line(lat),
            f"{c['tickets']:,} tickets (`bench/generate.py`), {c['articles']:,} published articles"
            f" (`article_create`), {c['ticket_vectors']:,} ticket vectors (every resolved or closed ticket with"
            f" a reply sent, what `vectors_reindex` embeds), {c['article_vectors']:,} article vectors.",
            "",
            f"**Ticket vectors are synthetic**: {int(t.get('pool_texts', 0)):,} distinct ticket texts embedded once,"
            f" each ticket given one of them plus Gaussian noise (σ = {lat['noise_sigma']} per dimension)"
            " renormalised, loaded with `vectors_store` (embedding a million texts at ~200/s takes hours)."
            " Article vectors are real embeddings. Centroids: `vectors_train`"
            f" ({int(t.get('lists_ticket', 0))} ticket lists, {int(t.get('lists_article', 0))} article lists;"
            f" vectors per ticket list: {lat.get('ticket_list_sizes') or 'not recorded'}).",
            "",
            f"Over {lat['samples']} random tickets (any status; the query is the ticket's own problem text,"
            " itself excluded), after 5 warm-ups:",
            "",
            "| call | p50 ms | p95 ms | max ms | mean ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, key in (
            ("embedding of one ticket text (`nlp.embed.encode`)", "embed_one_ms"),
            ("`suggest()` (embedding + articles + tickets)", "suggest_ms"),
            (
                "`ticket_suggestions_compute()` (read, embed, retrieve, store)",
                "ticket_suggestions_compute_ms",
            ),
        ):
            m = lat[key]
            lines.append(f"| {name} | {m['p50']} | {m['p95']} | {m['max']} | {m['mean']} |")
        for probes, m in lat["suggest_by_probes_ms"].items():
            lines.append(
                f"| `suggest(probes={probes})`, {m['n']} tickets | {m['p50']} | {m['p95']} | {m['max']} | {m['mean']} |"
            )
        lines += [
            "",
            "The pool texts come from `bench/generate.py`'s templates (a handful of problem families), so these"
            " vectors are more clustered than real tickets and the k-means lists are uneven (sizes above): a"
            " query near a popular problem reads several thousand vectors. `ticket_suggestions_compute()` is"
            " timed right after `suggest()` on the same ticket, so the lists it reads are already in the page"
            " cache.",
        ]
        rec = lat.get("ivf_recall_at_5") or {}
        if rec:
            scan = rec["exhaustive_scan_ms"]
            lines += [
                "",
                f"Inverted lists against an exhaustive scan ({rec['queries']} of the samples): recall of the first 5 similar tickets "
                + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in rec.items() if k.startswith("probes_"))
                + f" (default probes: 8); `suggest(probes=every list)` itself: p50 {scan['p50']} ms, max {scan['max']} ms.",
            ]
        lines += [
            "",
            (
                "Load ("
                + f"tickets and articles loaded by the run of {lat['loaded_by']}, vectors and centroids"
                f" by the run of {lat.get('vectors_loaded_by', lat['loaded_by'])}): "
                if lat.get("loaded_by")
                else "Load: "
            )
            + ", ".join(f"{k} {v}" for k, v in t.items())
            + ".",
            f"Database {lat['db_size_mib']:,} MiB; peak RSS of the latency process"
            f" {lat.get('peak_rss_before_exhaustive_mib', '?')} MiB before the exhaustive scans,"
            f" {lat['peak_rss_mib']} MiB after them (one scan holds every ticket vector in Python objects).",
            "",
        ]
    if q:
        lines.append(f"Peak RSS of the quality process: {q['peak_rss_mib']} MiB.")
    if res.get("note"):
        lines += ["", res["note"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=("quality", "latency", "both"), default="both")
    ap.add_argument("--size", type=int, default=1_000_000, help="tickets for the latency part")
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument(
        "--pool", type=int, default=3000, help="distinct ticket texts embedded for synthetic vectors"
    )
    ap.add_argument("--noise", type=float, default=0.02)
    ap.add_argument("--probes", type=lambda s: [int(x) for x in s.split(",") if x], default=[1, 32])
    ap.add_argument(
        "--recall-queries", type=int, default=30, help="samples checked against an exhaustive scan"
    )
    ap.add_argument("--keep", action="store_true", help="reuse the loaded latency database")
    ap.add_argument(
        "--revector", action="store_true", help="with --keep: load the vectors and centroids again"
    )
    ap.add_argument("--out", default=str(RESULTS / "suggestions"))
    ap.add_argument("--note", default="", help="a sentence added to the markdown")
    ap.add_argument("--render", action="store_true", help="rewrite the .md from the .json")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    out = Path(args.out)
    if args.child:
        fn = part_quality if args.child == "quality" else part_latency
        result = fn(args)
        (WORK / f"{args.child}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    if args.render:
        out.with_suffix(".md").write_text(render(json.loads(out.with_suffix(".json").read_text())))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.with_suffix(".json").read_text()) if out.with_suffix(".json").exists() else {}
    res: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "commit": _commit(), "machine": _machine(),
        "command": " ".join([".venv/bin/python", "bench/suggestions.py", *(argv if argv is not None else sys.argv[1:])]),
        "load_start": [round(x, 2) for x in os.getloadavg()], "note": args.note or previous.get("note", ""),
    }  # fmt: skip
    parts = ["quality", "latency"] if args.part == "both" else [args.part]
    for part in parts:
        child = [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]), "--child", part]
        t0 = time.perf_counter()
        started = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "command": res["command"],
                   "load_start": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
        subprocess.run(child, check=True)
        res[part] = json.loads((WORK / f"{part}.json").read_text())
        res[part]["wall_s"] = round(time.perf_counter() - t0, 1)
        res[part]["run"] = {**started, "load_end": [round(x, 2) for x in os.getloadavg()]}
        if part == "latency" and args.keep and "latency" in previous:
            # Tickets and articles were loaded by an earlier run (and the vectors too, unless
            # --revector): keep that run's load figures.
            kept = previous["latency"]["timings"]
            fresh = res[part]["timings"]
            if args.revector:
                kept = {k: kept[k] for k in ("generate_s", "articles_create_s") if k in kept}
            res[part]["timings"] = {**fresh, **kept}
            res[part]["loaded_by"] = (
                previous["latency"].get("loaded_by") or previous["latency"]["run"]["date"]
            )
            res[part]["vectors_loaded_by"] = (
                started["date"]
                if args.revector
                else previous["latency"].get("vectors_loaded_by") or res[part]["loaded_by"]
            )
    for part in ("quality", "latency"):  # a part not run this time keeps its last figures
        if part not in res and part in previous:
            res[part] = previous[part]
            res[f"{part}_from"] = previous.get("date")
    res["load_end"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n")
    out.with_suffix(".md").write_text(render(res))
    print(f"-> {out}.md", flush=True)


if __name__ == "__main__":
    main()
