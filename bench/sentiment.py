"""Issue 12, item 2: the sentiment model, measured; builds the shipped model.

    .venv/bin/python bench/sentiment.py --tune      # grid: 5-fold CV on the train split, dev shown
    .venv/bin/python bench/sentiment.py --build     # ship: train on train + dev, write the model
    .venv/bin/python bench/sentiment.py             # measure; writes bench/results/sentiment.{json,md}

Measures (1) macro-F1 per language on the tweets' dev split of a model trained on the train split
only (the shipped hyper-parameters, chosen by ``--tune`` on cross-validation within the train
split; the dev split is there to check, and there is no other held-out split), (2) the shipped model on the
hand-written support set of ``bench/data/sentiment/`` (never used to train), with and without the
support cue layer, with precision/recall/F1 of the negative class, (3) messages per second (one
message per call and batched), load time and resident memory in a fresh process.

The tweets (``../shared/data/sentiment-tweets-fr-en/``, UMSAB, Apache-2.0) are read from there
and never copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("COMPTOIR_NLP_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from comptoir.nlp import sentiment  # noqa: E402

TWEETS = ROOT.parent / "shared" / "data" / "sentiment-tweets-fr-en"
SUPPORT = ROOT / "bench" / "data" / "sentiment"
RESULTS = ROOT / "bench" / "results"
LANGS = ("fr", "en")


def read(path: Path) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def tweets(lang: str, split: str) -> tuple[list[str], list[str]]:
    return read(TWEETS / f"tweets_{lang}_{split}.csv")


def support(lang: str) -> tuple[list[str], list[str]]:
    return read(SUPPORT / f"support_{lang}.csv")


def scores(truth: list[str], predicted: list[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(
        truth, predicted, labels=["negative"], average=None, zero_division=0
    )
    return {
        "macro_f1": round(
            float(f1_score(truth, predicted, average="macro", labels=list(sentiment.LABELS))), 4
        ),
        "negative_precision": round(float(p[0]), 4),
        "negative_recall": round(float(r[0]), 4),
        "negative_f1": round(float(f[0]), 4),
        "accuracy": round(float(np.mean(np.asarray(truth) == np.asarray(predicted))), 4),
        "n": len(truth),
    }


def _split_features(texts: list[str], langs: list[str], idf: np.ndarray, lex_weight: float = 1.0) -> tuple:
    xs = sentiment._tfidf(sentiment._hashed_counts([sentiment.normalize(t) for t in texts]), idf)
    return xs, sentiment._dense(texts, lex_weight, langs)


def tune() -> dict:
    """Grid chosen by 5-fold cross-validation on the train split (mean of the per-language
    macro-F1 of the out-of-fold predictions); the dev split is scored for each setting to show,
    not to choose. Features are computed once (the idf on the whole train split)."""
    from sklearn.model_selection import StratifiedKFold

    train_t, train_y, train_l = [], [], []
    for lang in LANGS:
        t, y = tweets(lang, "train")
        train_t, train_y, train_l = train_t + t, train_y + y, train_l + [lang] * len(t)
    y, lang_of = np.asarray(train_y), np.asarray(train_l)
    counts = sentiment._hashed_counts([sentiment.normalize(t) for t in train_t])
    df = np.bincount(counts.indices, minlength=2 * sentiment.N_BUCKETS).astype(np.float64)
    idf = np.where(df > 0, np.log((1 + len(train_t)) / (1 + df)) + 1.0, 0.0).astype(np.float32)
    xs, xd = sentiment._tfidf(counts, idf), sentiment._dense(train_t, 1.0, train_l)
    dev = {
        lang: (*_split_features(tweets(lang, "dev")[0], [lang] * 324, idf), tweets(lang, "dev")[1])
        for lang in LANGS
    }
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(xd, np.char.add(lang_of, y)))

    def log_probs(x: object, c: float) -> tuple[np.ndarray, dict]:
        out = np.zeros((len(y), 3))
        for a, b in folds:
            out[b] = sentiment._logreg(c).fit(x[a], y[a]).predict_log_proba(x[b])  # type: ignore[index]
        full = sentiment._logreg(c).fit(x, y)
        return out, {lang: full.predict_log_proba(dev[lang][0 if x is xs else 1]) for lang in LANGS}

    sparse = {c: log_probs(xs, c) for c in (1.0, 3.0, 10.0)}
    dense = {c: log_probs(xd, c) for c in (0.3, 1.0)}
    labels = np.asarray(sentiment.LABELS)
    rows = []
    for (c_sparse, (so, sd)), (c_dense, (do, dd)), w in itertools.product(
        sparse.items(), dense.items(), (0.5, 0.6, 0.7)
    ):
        z = labels[((1 - w) * so + w * do).argmax(axis=1)]
        row = {"c_sparse": c_sparse, "c_dense": c_dense, "dense_weight": w}
        for lang in LANGS:
            row["cv_" + lang] = scores(list(y[lang_of == lang]), list(z[lang_of == lang]))["macro_f1"]
            zd = labels[((1 - w) * sd[lang] + w * dd[lang]).argmax(axis=1)]
            row["dev_" + lang] = scores(dev[lang][2], list(zd))["macro_f1"]
        row["cv_mean"] = round((row["cv_fr"] + row["cv_en"]) / 2, 4)
        rows.append(row)
        print(json.dumps(row), flush=True)
    rows.sort(key=lambda r: -r["cv_mean"])
    return {"grid": rows[:15], "best": rows[0], "size": len(rows)}


def build() -> dict:
    texts, labels, langs = [], [], []
    for lang, split in itertools.product(LANGS, ("train", "dev")):
        t, y = tweets(lang, split)
        texts, labels, langs = texts + t, labels + y, langs + [lang] * len(t)
    model = sentiment.train(texts, labels, langs)
    model.save(sentiment.SHIPPED_PATH)
    return {"n_train": len(texts), "config": model.config, "bytes": sentiment.SHIPPED_PATH.stat().st_size}


def dev_scores() -> dict:
    """Trained on the train split only, scored on the dev split (learned model, then with cues)."""
    texts, labels, langs = [], [], []
    for lang in LANGS:
        t, y = tweets(lang, "train")
        texts, labels, langs = texts + t, labels + y, langs + [lang] * len(t)
    model = sentiment.train(texts, labels, langs)
    out: dict = {"config": model.config}
    for lang in LANGS:
        t, y = tweets(lang, "dev")
        out[lang] = scores(y, [s.label for s in model.predict(t, cues=False)])
        out[lang + "_with_cues"] = scores(y, [s.label for s in model.predict(t)])
    return out


def support_scores() -> dict:
    model = sentiment.load(sentiment.SHIPPED_PATH)
    out = {}
    for lang in LANGS:
        t, y = support(lang)
        out[lang] = scores(y, [s.label for s in model.predict(t)])
        out[lang + "_without_cues"] = scores(y, [s.label for s in model.predict(t, cues=False)])
    t, y = support("fr")
    t2, y2 = support("en")
    out["both"] = scores(y + y2, [s.label for s in model.predict(t + t2)])
    return out


_PROBE = """
import os, sys, time, json
os.environ.setdefault("COMPTOIR_NLP_THREADS", "1")
sys.path.insert(0, {root!r})
def rss():
    for line in open("/proc/self/status"):
        if line.startswith(("VmRSS", "VmHWM")):
            yield line.split()[0][:-1], int(line.split()[1]) // 1024
t0 = time.perf_counter()
from comptoir.nlp import sentiment
base = dict(rss())
t1 = time.perf_counter()
sentiment.score(["Bonjour, ma facture est fausse."])
t2 = time.perf_counter()
texts = json.loads(sys.stdin.read())
t3 = time.perf_counter()
for text in texts:
    sentiment.score([text])
t4 = time.perf_counter()
for i in range(0, len(texts), 64):
    sentiment.score(texts[i:i + 64])
t5 = time.perf_counter()
print(json.dumps({{"import_s": round(t1 - t0, 3), "load_and_first_message_s": round(t2 - t1, 3),
    "single_per_second": round(len(texts) / (t4 - t3), 1), "single_ms": round(1000 * (t4 - t3) / len(texts), 2),
    "batch64_per_second": round(len(texts) / (t5 - t4), 1), "n": len(texts),
    "rss_mib_after_import": base["VmRSS"], "rss_mib": dict(rss())["VmRSS"], "peak_rss_mib": dict(rss())["VmHWM"]}}))
"""


def speed() -> dict:
    texts = []
    for lang in LANGS:
        texts += support(lang)[0]
    texts = (texts * 3)[:900]
    runs = []
    for _ in range(3):
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE.format(root=str(ROOT))],
            input=json.dumps(texts), capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    median = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
    return {"runs": runs, "median": median, "threads": os.environ["COMPTOIR_NLP_THREADS"]}


#: What was tried (5-fold CV on the train split, then dev; measured with scripts kept out of the
#: repository, figures rounded; "CV" and "dev" are mean macro-F1 of fr and en).
NOTES = [
    "Changes from version 1 (dev 0.680 fr / 0.658 en), each measured train -> CV and dev:",
    "",
    "- language-specific copies of the dense features (USE vector and lexicons times a French "
    "indicator, language detected when the caller does not give it): dense model CV 0.644 -> 0.651, "
    "dev 0.635 -> 0.660; the largest single gain, mostly English. At full weight (language_weight=1) "
    "the whole model reached dev 0.683 fr / 0.694 en but the support set fell to 0.751 fr (-0.047: "
    "the French copies learn the tweets' politics and ecology); without them dev was 0.668 / 0.668 "
    "and support en 0.826 (-0.012). Shipped: language_weight=0.5 (the copies scaled by half, so "
    "more strongly regularised), the only one of the three that keeps the support set within 0.01; "
    "so this one setting was chosen with the support set as a constraint, not on dev;",
    '- style features ("!" and "?" runs, happy/sad emoticons and emoji, capitals, link): about 0 on '
    "their own, kept in the combination (CV +0.001 to +0.004);",
    '- text normalisation (emoticons named, elongations "sooo" -> "soo", "#word" also gives the '
    'word) and negation marking of the word n-grams ("not good" -> "not neg_good"): hashed model '
    "CV 0.582 -> 0.584, dev 0.590 -> 0.596 (small, kept);",
    "- C of each regression and the weight re-chosen by CV (c_sparse 10 -> 3, c_dense 1 -> 0.3).",
    "",
    "Tried, not kept (no gain on CV, or a gain on dev only):",
    "",
    "- per-class bias calibration maximising macro-F1 on out-of-fold probabilities: CV +0.002, dev "
    "-0.004 to +0.008 depending on the base models;",
    "- stacking (a logistic regression on the out-of-fold log-probabilities of both models, with or "
    "without language interactions): CV -0.004 to +0.003 against the geometric mean; with C=1 on the "
    "dense side it reached dev 0.693 fr / 0.704 en but CV 0.663, so choosing it would be tuning on dev;",
    "- other dense learners on the same features: shrinkage LDA (CV 0.629), RBF SVM (CV 0.653, and "
    "it would store training vectors), small MLPs (CV 0.637, slower); lexicon scale 0 or 3;",
    "- word 1-3-grams with punctuation tokens (CV 0.582 vs 0.584).",
]


def render(result: dict) -> str:
    lines = [
        "# Sentiment model (issue 12, item 2)",
        "",
        f"Run: `{result['command']}` on {result['machine']}, {result['date']}.",
        "",
        "## Tweets: trained on the train split only, scored on the dev split (macro-F1, 3 classes)",
        "",
        "Targets: French >= 0.70, English >= 0.68 (TF-IDF + LR baseline: 0.58 / 0.52).",
        "",
        "| language | macro-F1 (learned model) | with the support cue layer | negative P / R / F1 | n |",
        "|---|---|---|---|---|",
    ]
    dev = result.get("dev")
    if dev:
        for lang in LANGS:
            a, b = dev[lang], dev[lang + "_with_cues"]
            lines.append(
                f"| {lang} | **{a['macro_f1']:.3f}** | {b['macro_f1']:.3f} | "
                f"{a['negative_precision']:.2f} / {a['negative_recall']:.2f} / {a['negative_f1']:.2f} | {a['n']} |"
            )
        cfg = dev["config"]
        lines += [
            "",
            f"Hyper-parameters: c_sparse={cfg['c_sparse']}, c_dense={cfg['c_dense']}, "
            f"lex_weight={cfg['lex_weight']}, dense_weight={cfg['dense_weight']}, "
            f"language_weight={cfg.get('language_weight', 0.0)}; the first four chosen by 5-fold "
            "cross-validation on the train split (`--tune` reruns that grid; it was not rerun for this "
            "file), not on dev. Dev is the only held-out split "
            "(324 tweets per language, 108 per class): one tweet is ~0.3 point, and two settings "
            "within ~2 points of each other are not told apart by it.",
            "",
            *NOTES,
        ]
    grid = (result.get("tune") or {}).get("grid")
    if grid:
        lines += [
            "",
            "`--tune` (5-fold cross-validation on the train split, out-of-fold macro-F1; dev shown, "
            f"not used to choose; the 5 best of {result['tune'].get('size', len(grid))} settings):",
            "",
            "| c_sparse | c_dense | dense_weight | CV fr | CV en | CV mean | dev fr | dev en |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in grid[:5]:
            lines.append(
                f"| {r['c_sparse']} | {r['c_dense']} | {r['dense_weight']} | {r['cv_fr']:.3f} | "
                f"{r['cv_en']:.3f} | {r['cv_mean']:.3f} | {r['dev_fr']:.3f} | {r['dev_en']:.3f} |"
            )
    sup = result.get("support")
    if sup:
        lines += [
            "",
            "## The shipped model (tweets train + dev) on the hand-written support set (`bench/data/sentiment/`)",
            "",
            "| language | macro-F1 | negative P / R / F1 | accuracy | without cues: macro-F1 | neg. P / R / F1 | n |",
            "|---|---|---|---|---|---|---|",
        ]
        for lang in (*LANGS, "both"):
            a = sup[lang]
            b = sup.get(lang + "_without_cues")
            tail = (
                f"{b['macro_f1']:.3f} | {b['negative_precision']:.2f} / {b['negative_recall']:.2f} / "
                f"{b['negative_f1']:.2f}"
                if b
                else "- | -"
            )
            lines.append(
                f"| {lang} | **{a['macro_f1']:.3f}** | {a['negative_precision']:.2f} / {a['negative_recall']:.2f} / "
                f"{a['negative_f1']:.2f} | {a['accuracy']:.3f} | {tail} | {a['n']} |"
            )
    sp_ = result.get("speed")
    if sp_:
        m = sp_["median"]
        lines += [
            "",
            f"## Speed and memory (fresh process, `COMPTOIR_NLP_THREADS={sp_['threads']}`, median of 3 runs, "
            f"{int(m['n'])} support messages)",
            "",
            "| one message per call | batches of 64 | import | model + USE load and first message | "
            "RSS after import | RSS after scoring | peak RSS |",
            "|---|---|---|---|---|---|---|",
            f"| {m['single_per_second']:.0f} msg/s ({m['single_ms']:.1f} ms) | {m['batch64_per_second']:.0f} msg/s | "
            f"{m['import_s']:.2f} s | {m['load_and_first_message_s']:.2f} s | {m['rss_mib_after_import']:.0f} MiB | "
            f"{m['rss_mib']:.0f} MiB | {m['peak_rss_mib']:.0f} MiB |",
        ]
    b = result.get("build")
    if b:
        lines += ["", f"Shipped model: {b['n_train']} tweets (train + dev), file {b['bytes'] / 1e6:.2f} MB."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--out", default=str(RESULTS / "sentiment"))
    args = parser.parse_args()
    out = Path(args.out)
    previous = json.loads(out.with_suffix(".json").read_text()) if out.with_suffix(".json").exists() else {}
    if "cv_mean" not in ((previous.get("tune") or {}).get("best") or {}):
        previous.pop("tune", None)  # a grid of the version 1 model
    if args.tune:  # recorded beside the last measurement
        previous["tune"] = tune()
        out.with_suffix(".json").write_text(json.dumps(previous, indent=2, ensure_ascii=False) + "\n")
        if "command" in previous:
            out.with_suffix(".md").write_text(render(previous))
        print(json.dumps(previous["tune"]["best"]))
        return
    result = {
        "command": "COMPTOIR_NLP_THREADS=1 .venv/bin/python bench/sentiment.py"
        + (" --build" if args.build else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the start",
        "date": time.strftime("%Y-%m-%d"),
        "build": previous.get("build"),
        "tune": previous.get("tune"),
    }
    if args.build:
        result["build"] = build()
        print(json.dumps(result["build"]), flush=True)
    result["dev"] = dev_scores()
    print(json.dumps(result["dev"]), flush=True)
    result["support"] = support_scores()
    print(json.dumps(result["support"]), flush=True)
    result["speed"] = speed()
    print(json.dumps(result["speed"]["median"]), flush=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    out.with_suffix(".md").write_text(render(result))
    print(render(result))


if __name__ == "__main__":
    main()
