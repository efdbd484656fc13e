"""Writes articles.json, tickets.json and queries.json of the suggestions labelled set from the
hand-written sources beside this file (articles_src.py, tickets_src.py, queries_src.py).

    .venv/bin/python bench/data/suggestions/build.py

A query's right answers are every article and every resolved ticket of its topic (the same
problem), in any language; ids are stable (topic + language + number).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from articles_src import ARTICLES  # noqa: E402

INTERNAL = {"account_locked", "phishing"}  # a few internal articles (visibility applies when read)


def articles() -> list[dict]:
    out = []
    for topic, by_lang in ARTICLES.items():
        original = None
        for lang in ("fr", "en"):
            if lang not in by_lang:
                continue
            title, body = by_lang[lang]
            aid = f"A-{topic}-{lang}"
            out.append(
                {
                    "id": aid,
                    "topic": topic,
                    "language": lang,
                    "title": title,
                    "body": body,
                    "visibility": "internal" if topic in INTERNAL else "public",
                    "translation_of": original,
                }
            )
            original = original or aid
    return out


def tickets() -> list[dict]:
    from tickets_src import TICKETS

    out = []
    for topic, rows in TICKETS.items():
        for n, (lang, subject, body, resolution) in enumerate(rows, 1):
            out.append(
                {
                    "id": f"T-{topic}-{n}",
                    "topic": topic,
                    "language": lang,
                    "subject": subject,
                    "body": body,
                    "resolution": resolution,
                }
            )
    return out


def queries(arts: list[dict], ticks: list[dict]) -> dict[str, list[dict]]:
    from queries_src import QUERIES

    splits: dict[str, list[dict]] = {"dev": [], "holdout": []}
    n = 0
    for topic, rows in QUERIES.items():
        rel_a = [a["id"] for a in arts if a["topic"] == topic]
        rel_t = [t["id"] for t in ticks if t["topic"] == topic]
        assert rel_a and rel_t, topic
        for i, (lang, subject, body) in enumerate(rows, 1):
            n += 1
            split = "holdout" if n % 3 == 0 else "dev"
            cross = all(x["language"] != lang for x in arts + ticks if x["id"] in set(rel_a + rel_t))
            splits[split].append(
                {
                    "id": f"Q-{topic}-{i}",
                    "topic": topic,
                    "language": lang,
                    "cross_language": cross,
                    "subject": subject,
                    "body": body,
                    "articles": rel_a,
                    "tickets": rel_t,
                }
            )
    return splits


def main() -> None:
    arts = articles()
    (HERE / "articles.json").write_text(json.dumps({"articles": arts}, ensure_ascii=False, indent=1) + "\n")
    if (HERE / "tickets_src.py").exists():
        ticks = tickets()
        (HERE / "tickets.json").write_text(
            json.dumps({"tickets": ticks}, ensure_ascii=False, indent=1) + "\n"
        )
        if (HERE / "queries_src.py").exists():
            q = queries(arts, ticks)
            (HERE / "queries.json").write_text(json.dumps({"splits": q}, ensure_ascii=False, indent=1) + "\n")
            print(
                {k: len(v) for k, v in q.items()},
                sum(x["cross_language"] for v in q.values() for x in v),
                "cross",
            )
        print(len(ticks), "tickets")
    print(len(arts), "articles")


if __name__ == "__main__":
    main()
