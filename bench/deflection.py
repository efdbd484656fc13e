"""Portal deflection (issue 11, item 6): the rate measured on a scripted run, against ground truth.

Usage::

    .venv/bin/python bench/deflection.py [--customers 200] [--seed 11]

Runs in-process through Django's test client (the whole request stack: middleware, CSRF checks
off as for any test client, sessions, rate limits on, views, templates, SQLite; no socket), on a
fresh database in a temporary folder:

1. a level-2 agent writes 8 published public French articles with their English translations
   through ``POST /api/v1/articles`` (and an internal and a draft article customers must never
   be shown);
2. N simulated customers, each with their own client address, open the portal's form (``GET /``,
   English or French), type a request in three steps as htmx would post it
   (``POST /help/suggest/`` with the subject, then part of the description, then all of it) and
   then behave as their profile says:

   - ``leave``: types about a documented problem, opens the suggested article, leaves;
   - ``open_submit``: opens a suggested article and still sends the request;
   - ``submit``: sends the request without opening anything;
   - ``nomatch``: types about something no article covers (no suggestion), then sends it or not;

3. reads ``GET /api/v1/knowledge/deflection?days=30`` as a supervisor, first at once (every open is
   younger than the 30-minute window: nothing is a deflection yet), then after moving every
   visit's timestamps back by 31 minutes in the database (the script does not wait half an hour),
   and compares both readings with what the script itself did.

Also reported: how often the article the customer's problem is about was among the suggestions
(and first), and the suggestion endpoint's latency. Writes bench/results/deflection.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

# (topic, French title, French body, English title, English body)
ARTICLES = [
    (
        "outage",
        "Panne de courant : que faire ?",
        "Vérifiez d'abord le disjoncteur principal. Si vos voisins sont aussi privés d'électricité, "
        "la panne est sur le réseau : consultez la carte des pannes.",
        "Power outage: what to do?",
        "First check your main breaker. If your neighbours have no electricity either, the outage "
        "is on the grid: see the outage map.",
    ),
    (
        "bill",
        "Comprendre votre facture",
        "Votre facture montre la consommation du mois, le tarif appliqué et les taxes. Un montant "
        "élevé vient souvent d'un relevé estimé.",
        "Understanding your bill",
        "Your bill shows the month's consumption, the rate applied and taxes. A high amount often "
        "comes from an estimated reading.",
    ),
    (
        "arrangement",
        "Entente de paiement",
        "Si vous ne pouvez pas payer le solde d'un coup, demandez une entente de paiement en "
        "plusieurs versements mensuels.",
        "Payment arrangement",
        "If you cannot pay the balance at once, ask for a payment arrangement in several monthly "
        "instalments.",
    ),
    (
        "move",
        "Déménagement : transférer votre abonnement",
        "Quand vous déménagez, donnez la date du départ et la nouvelle adresse : l'abonnement est "
        "transféré sans interruption.",
        "Moving: transfer your account",
        "When you move house, give the moving date and the new address: the account is transferred "
        "without interruption.",
    ),
    (
        "meter",
        "Relevé du compteur",
        "Vous pouvez transmettre le relevé de votre compteur en ligne. Le compteur se trouve souvent "
        "au sous-sol.",
        "Meter reading",
        "You can send your meter reading online. The meter is often in the basement.",
    ),
    (
        "password",
        "Mot de passe oublié",
        "Pour réinitialiser votre mot de passe de l'espace client, cliquez sur « Mot de passe "
        "oublié » et suivez le lien reçu par courriel.",
        "Forgot your password",
        "To reset the password of your customer account, click « Forgot password » and follow the "
        "link sent by email.",
    ),
    (
        "card",
        "Paiement refusé par carte",
        "Un paiement par carte peut être refusé si la carte est expirée ou si la banque bloque "
        "le prélèvement. Essayez une autre carte.",
        "Card payment declined",
        "A card payment may be declined when the card has expired or the bank blocks the charge. "
        "Try another card.",
    ),
    (
        "tree",
        "Branche d'arbre sur une ligne",
        "Une branche touche une ligne électrique ? Ne vous approchez pas et signalez-la : une "
        "équipe d'élagage intervient.",
        "Tree branch on a power line",
        "A branch touching a power line? Keep away and report it: a tree-trimming crew will come.",
    ),
]

# What customers type: (topic, language, subject, description)
REQUESTS = [
    (
        "outage",
        "fr",
        "Plus de courant",
        "Depuis ce matin plus d'électricité chez moi, le disjoncteur semble correct.",
    ),
    ("outage", "fr", "Panne dans le quartier", "Toute la rue est en panne depuis une heure."),
    ("outage", "en", "No power", "We have had no electricity since this morning, the breaker looks fine."),
    ("outage", "en", "Outage on my street", "The whole street has been without power for an hour."),
    ("bill", "fr", "Facture trop élevée", "Ma facture de ce mois est beaucoup plus élevée que d'habitude."),
    (
        "bill",
        "en",
        "Bill too high",
        "My bill this month is much higher than usual, I do not understand the amount.",
    ),
    (
        "arrangement",
        "fr",
        "Difficulté à payer",
        "Je ne peux pas payer tout le solde, puis-je payer en versements ?",
    ),
    ("arrangement", "en", "Cannot pay", "I cannot pay the whole balance, can I pay in monthly instalments?"),
    (
        "move",
        "fr",
        "Je déménage",
        "Je déménage le 1er juillet, comment transférer mon abonnement à la nouvelle adresse ?",
    ),
    (
        "move",
        "en",
        "Moving house",
        "I am moving next month, how do I transfer my account to the new address?",
    ),
    ("meter", "fr", "Relevé de compteur", "Comment envoyer le relevé de mon compteur ?"),
    ("meter", "en", "Meter reading", "How do I send my meter reading? I cannot find the meter."),
    ("password", "fr", "Mot de passe", "J'ai oublié mon mot de passe de l'espace client."),
    ("password", "en", "Password", "I forgot the password of my customer account and cannot log in."),
    ("card", "fr", "Carte refusée", "Mon paiement par carte est refusé sur votre site."),
    ("card", "en", "Card declined", "My card payment is declined on your website."),
    ("tree", "fr", "Arbre sur les fils", "Une branche d'arbre est tombée sur la ligne devant chez moi."),
    ("tree", "en", "Tree on the wires", "A tree branch fell on the power line in front of my house."),
]
# The same problems in words the articles do not use: expected misses of a lexical search.
REQUESTS += [
    ("outage", "fr", "Tout est éteint", "Les lumières se sont éteintes d'un coup ce soir."),
    ("outage", "en", "Lights out", "All the lights went off suddenly tonight."),
    ("bill", "en", "Charged too much", "Why was I charged so much in March?"),
    ("move", "fr", "Nouvel appartement", "Je change de logement bientôt, que dois-je faire ?"),
]
NOMATCH = [
    ("fr", "Félicitations", "Je voulais féliciter le technicien venu hier, très aimable."),
    ("fr", "Offres d'emploi", "Recrutez-vous des stagiaires cet été ?"),
    ("en", "Compliments", "I wanted to thank the technician who came yesterday, very kind."),
    ("en", "Job openings", "Are you hiring interns this summer?"),
]
PROFILES = {"leave": 0.35, "open_submit": 0.15, "submit": 0.3, "nomatch": 0.2}


def setup(data_dir: str) -> None:
    os.environ.update(
        COMPTOIR_DATA_DIR=data_dir, COMPTOIR_SECRET_KEY="bench-only-deflection",  # noqa: S106 COMPTOIR_DEBUG="0",
        COMPTOIR_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend",
    )  # fmt: skip
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def client(address: str, language: str = "en"):  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)


def make_articles() -> tuple[dict[str, dict[str, int]], str]:
    """The articles, written through the API by a level-2 agent; a supervisor's token."""
    from comptoir.accounts.services import agent_create, api_token_create

    writer = agent_create(email="writer@bench.test", name="Writer", team_name="Support", level=2)
    boss = agent_create(email="boss@bench.test", name="Boss", team_name="Support", is_supervisor=True)
    api = client("10.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=writer)}"}
    ids: dict[str, dict[str, int]] = {}

    def post(**payload) -> int:  # type: ignore[no-untyped-def]
        r = api.post("/api/v1/articles", json.dumps(payload), content_type="application/json", **auth)
        assert r.status_code == 201, r.content
        return int(r.json()["id"])

    for topic, fr_title, fr_body, en_title, en_body in ARTICLES:
        common = {"status": "published", "visibility": "public"}
        fr = post(title=fr_title, body=fr_body, language="fr", **common)
        en = post(title=en_title, body=en_body, language="en", translation_of=fr, **common)
        ids[topic] = {"fr": fr, "en": en}
    # Never to be shown to a customer, although they match.
    post(title="Panne : procédure interne", body="Disjoncteur, électricité, facture.", language="fr",
         status="published", visibility="internal")  # fmt: skip
    post(title="Power outage draft", body="Breaker, electricity, bill.", language="en", status="draft",
         visibility="public")  # fmt: skip
    return ids, api_token_create(user=boss)


def simulate(n: int, seed: int, ids: dict[str, dict[str, int]]) -> dict:
    rng = random.Random(seed)
    public_ids = {pk for pair in ids.values() for pk in pair.values()}
    truth = {"visits": 0, "opened": 0, "deflected": 0, "submitted": 0}
    counts = {p: 0 for p in PROFILES}
    quality = {"about_documented": 0, "right_article_shown": 0, "right_article_first": 0, "nomatch_shown": 0}
    latencies: list[float] = []
    leaked: list[int] = []
    for i in range(n):
        profile = rng.choices(list(PROFILES), weights=list(PROFILES.values()))[0]
        counts[profile] += 1
        if profile == "nomatch":
            language, subject, description = rng.choice(NOMATCH)
            topic = None
        else:
            topic, language, subject, description = rng.choice(REQUESTS)
        c = client(f"10.1.{i // 250}.{i % 250 + 1}", language)
        page = c.get("/").content.decode()
        token = re.search(r'name="deflection" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        half = description[: len(description) // 2]
        shown_ids: list[int] = []
        links: dict[int, str] = {}
        for typed in [(subject, ""), (subject, half), (subject, description)]:
            start = time.perf_counter()
            r = c.post("/help/suggest/", {"subject": typed[0], "description": typed[1], "deflection": token})
            latencies.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200, r.status_code
            html = r.content.decode()
            ids_now = [int(x) for x in re.findall(r'data-article-id="(\d+)"', html)]
            leaked += [pk for pk in ids_now if pk not in public_ids]
            for pk, href in re.findall(r'data-article-id="(\d+)"[^>]*>\s*<a href="([^"]+)"', html):
                links[int(pk)] = href.replace("&amp;", "&")
            if ids_now:
                shown_ids = ids_now
        shown = bool(links)
        if shown:
            truth["visits"] += 1
        if topic is not None:
            quality["about_documented"] += 1
            wanted = ids[topic][language]
            quality["right_article_shown"] += wanted in shown_ids
            quality["right_article_first"] += bool(shown_ids) and shown_ids[0] == wanted
        elif shown:
            quality["nomatch_shown"] += 1
        opened = False
        if profile in ("leave", "open_submit") and shown:
            target = ids[topic][language] if topic and ids[topic][language] in links else next(iter(links))
            assert c.get(links[target]).status_code == 302
            opened = True
            truth["opened"] += 1
        submit = profile in ("open_submit", "submit") or (profile == "nomatch" and rng.random() < 0.5)
        if submit:
            form = {"name": f"Client {i}", "email": f"client{i}@example.test", "subject": subject,
                    "description": description, "deflection": token}  # fmt: skip
            assert c.post("/", form).status_code == 302
        if shown and opened and not submit:
            truth["deflected"] += 1
        elif shown and submit:
            truth["submitted"] += 1
    return {
        "profiles": counts, "truth": truth, "quality": quality, "leaked_non_public": leaked,
        "suggest_ms": {
            "requests": len(latencies), "p50": round(statistics.median(latencies), 2),
            "p95": round(sorted(latencies)[int(len(latencies) * 0.95) - 1], 2),
            "max": round(max(latencies), 2),
        },
    }  # fmt: skip


def read_api(token: str) -> dict:
    r = client("10.0.0.2").get("/api/v1/knowledge/deflection?days=30", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200, r.content
    return r.json()


def age_visits() -> None:
    """Simulate the 30-minute window: every visit's timestamps moved back by 31 minutes."""
    from django.db.models import F

    from comptoir.knowledge.models import DeflectionOpen, DeflectionVisit
    from comptoir.knowledge.selectors import DEFLECTION_WINDOW

    back = DEFLECTION_WINDOW + timedelta(minutes=1)
    DeflectionVisit.objects.update(
        created_at=F("created_at") - back, first_opened_at=F("first_opened_at") - back,
        submitted_at=F("submitted_at") - back,
    )  # fmt: skip
    DeflectionOpen.objects.update(opened_at=F("opened_at") - back)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="comptoir-deflection-") as data_dir:
        setup(data_dir)
        ids, boss_token = make_articles()
        run = simulate(args.customers, args.seed, ids)
        before = read_api(boss_token)
        age_visits()
        after = read_api(boss_token)
    truth = run["truth"]
    expected_rate = (
        round(truth["deflected"] / (truth["deflected"] + truth["submitted"]), 4)
        if truth["deflected"] + truth["submitted"] else None
    )  # fmt: skip
    checks = {
        "within the window, nothing deflected yet": before["deflected"] == 0
        and before["pending"] == truth["deflected"],
        "visits": after["visits"] == truth["visits"],
        "articles opened": after["opened"] == truth["opened"],
        "deflections": after["deflected"] == truth["deflected"],
        "submitted": after["submitted"] == truth["submitted"],
        "rate": after["rate"] == expected_rate,
        "no internal or draft article shown": not run["leaked_non_public"],
    }
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "how": "in-process, Django test client (full request stack, no socket), SQLite, rate limits on",
        "customers": args.customers, "seed": args.seed, "articles": len(ARTICLES) * 2 + 2,
        **run, "expected_rate": expected_rate, "api_before_window": before, "api_after_window": after,
        "checks": checks, "ok": all(checks.values()),
    }  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "deflection.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "deflection.md").write_text(render(results))
    print(render(results))
    return 0 if results["ok"] else 1


def render(r: dict) -> str:
    q, t, a = r["quality"], r["truth"], r["api_after_window"]
    documented = q["about_documented"] or 1
    lines = [
        "# Portal deflection: a scripted run (issue 11, item 6)",
        "",
        f"{r['date']}. `bench/deflection.py --customers {r['customers']} --seed {r['seed']}`: {r['how']}.",
        f"{r['articles']} articles (8 problems in French and English, published and public; one internal and",
        "one draft that must never be suggested). Each simulated customer has its own client address,",
        "opens the form, types in three steps (subject; half the description; all of it) as the",
        "page's htmx posts them, then acts by profile. The 30-minute window is simulated by moving every",
        "visit's timestamps back 31 minutes in the database before the second reading of the API.",
        "",
        "| profile | customers |",
        "| --- | ---: |",
        *[f"| {p} | {n} |" for p, n in r["profiles"].items()],
        "",
        "## The API against the script's ground truth",
        "",
        "| figure | script | `GET /api/v1/knowledge/deflection` |",
        "| --- | ---: | ---: |",
        f"| visits shown suggestions | {t['visits']} | {a['visits']} |",
        f"| articles opened | {t['opened']} | {a['opened']} |",
        f"| deflections | {t['deflected']} | {a['deflected']} |",
        f"| sent anyway | {t['submitted']} | {a['submitted']} |",
        f"| rate | {r['expected_rate']} | {a['rate']} |",
        "",
        f"Read at once, before the window: deflected {r['api_before_window']['deflected']}, "
        f"pending {r['api_before_window']['pending']}.",
        "",
        "| check | |",
        "| --- | --- |",
        *[f"| {name} | {'ok' if ok else 'FAILED'} |" for name, ok in r["checks"].items()],
        "",
        "## Suggestion quality and latency",
        "",
        f"Customers writing about a documented problem: {q['about_documented']}; the article about it was",
        f"suggested to {q['right_article_shown']} ({q['right_article_shown'] / documented:.0%}), first for "
        f"{q['right_article_first']} ({q['right_article_first'] / documented:.0%}). Customers writing about",
        f"something undocumented who were shown suggestions anyway: {q['nomatch_shown']}.",
        "",
        f"`POST /help/suggest/`: {r['suggest_ms']['requests']} requests, p50 {r['suggest_ms']['p50']} ms, "
        f"p95 {r['suggest_ms']['p95']} ms, max {r['suggest_ms']['max']} ms (in-process, this machine).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
