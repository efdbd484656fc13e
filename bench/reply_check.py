"""Answer every question (issue 11, item 7): precision and recall on a hand-written labelled set.

Usage::

    .venv/bin/python bench/reply_check.py

Reads the labelled sets of bench/data/reply-check/ (customer message, draft reply, expected
questions each with ``answered``): ``cases.json`` (62 cases, the method's thresholds and word
lists were adjusted on it) and ``holdout.json`` (26 cases written afterwards, never tuned on).
Runs ``comptoir.search.questions.check`` on each and reports:

- question detection: a detected question is right when it contains an expected ``match``;
- "not addressed" detection, over the expected questions that were detected: positive = the
  draft does not address the question (what the desk flags);
- the time of one check (message + draft), p50 and max.

Writes bench/results/reply-check.md and .json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from comptoir.search.questions import check  # noqa: E402
from comptoir.search.text import fold  # noqa: E402

DATA = ROOT / "bench" / "data" / "reply-check"
SETS = {"tuning": "cases.json", "holdout": "holdout.json"}
RESULTS = ROOT / "bench" / "results"


def _ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 1.0


def run(path: Path) -> dict:
    cases = json.loads(path.read_text())["cases"]
    tp_q = fp_q = fn_q = 0
    tp_n = fp_n = fn_n = tn_n = 0
    timings: list[float] = []
    errors: list[dict] = []
    by_lang: dict[str, dict[str, int]] = {}
    for case in cases:
        start = time.perf_counter()
        found = check([case["message"]], case["draft"])
        timings.append((time.perf_counter() - start) * 1000)
        expected = case["questions"]
        used: set[int] = set()
        for q in found:
            idx = next(
                (i for i, e in enumerate(expected) if i not in used and fold(e["match"]) in fold(q.text)),
                None,
            )
            if idx is None:
                fp_q += 1
                errors.append({"case": case["id"], "kind": "extra question", "text": q.text})
                continue
            used.add(idx)
            tp_q += 1
            flagged, truly = not q.answered, not expected[idx]["answered"]
            lang = by_lang.setdefault(case["language"], {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
            key = {(True, True): "tp", (True, False): "fp", (False, True): "fn", (False, False): "tn"}[
                (flagged, truly)
            ]
            lang[key] += 1
            if key == "tp":
                tp_n += 1
            elif key == "fp":
                fp_n += 1
                errors.append({"case": case["id"], "kind": "flagged but answered", "text": q.text})
            elif key == "fn":
                fn_n += 1
                errors.append({"case": case["id"], "kind": "missed unanswered", "text": q.text})
            else:
                tn_n += 1
        for i, e in enumerate(expected):
            if i not in used:
                fn_q += 1
                errors.append({"case": case["id"], "kind": "question missed", "text": e["match"]})
    result = {
        "cases": len(cases),
        "expected_questions": sum(len(c["questions"]) for c in cases),
        "question_detection": {
            "precision": _ratio(tp_q, tp_q + fp_q), "recall": _ratio(tp_q, tp_q + fn_q),
            "tp": tp_q, "fp": fp_q, "fn": fn_q,
        },
        "not_addressed": {
            "precision": _ratio(tp_n, tp_n + fp_n), "recall": _ratio(tp_n, tp_n + fn_n),
            "accuracy": _ratio(tp_n + tn_n, tp_n + tn_n + fp_n + fn_n),
            "tp": tp_n, "fp": fp_n, "fn": fn_n, "tn": tn_n,
        },
        "not_addressed_by_language": {
            lang: {"precision": _ratio(v["tp"], v["tp"] + v["fp"]), "recall": _ratio(v["tp"], v["tp"] + v["fn"]), **v}
            for lang, v in sorted(by_lang.items())
        },
        "check_ms": {"p50": round(statistics.median(timings), 3), "max": round(max(timings), 3)},
        "errors": errors,
    }  # fmt: skip
    return result


def _table(name: str, result: dict) -> list[str]:
    q, n = result["question_detection"], result["not_addressed"]
    lines = [
        f"## {name}: {result['cases']} cases, {result['expected_questions']} labelled questions",
        "",
        "| measure | precision | recall | counts |",
        "|---|---|---|---|",
        f"| question detection | {q['precision']} | {q['recall']} | tp {q['tp']}, fp {q['fp']}, fn {q['fn']} |",
        f'| "not addressed" flag | {n["precision"]} | {n["recall"]} | tp {n["tp"]}, fp {n["fp"]}, fn {n["fn"]},'
        f" tn {n['tn']} (accuracy {n['accuracy']}) |",
    ]
    for lang, v in result["not_addressed_by_language"].items():
        lines.append(
            f'| "not addressed", {lang} | {v["precision"]} | {v["recall"]} |'
            f" tp {v['tp']}, fp {v['fp']}, fn {v['fn']} |"
        )
    lines += [
        "",
        f"One check (message + draft): p50 {result['check_ms']['p50']} ms, max {result['check_ms']['max']} ms.",
        "",
        "Errors:",
        "",
    ]
    lines += [f"- case {e['case']}: {e['kind']}: {e['text']}" for e in result["errors"]] or ["None."]
    return [*lines, ""]


def write(results: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reply-check.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    lines = [
        "# Answer every question: reply check (issue 11, item 7)",
        "",
        "Hand-written French and English cases (utility, payments, IT, driving school): a customer message,"
        " a draft reply, the questions expected and whether the draft addresses each. Method:"
        " `comptoir/search/questions.py` (sentence split, interrogative forms, stem overlap plus"
        " date/amount cues). Positive for the flag = the draft does not address the question."
        " The tuning set was used to adjust word lists and thresholds; the holdout set was not.",
        "",
    ]
    for name, result in results.items():
        lines += _table(name, result)
    (RESULTS / "reply-check.md").write_text("\n".join(lines))


if __name__ == "__main__":
    results = {name: run(DATA / file) for name, file in SETS.items()}
    write(results)
    for name, res in results.items():
        print(
            name,
            json.dumps({k: v for k, v in res.items() if k not in {"errors", "not_addressed_by_language"}}),
        )
        for e in res["errors"]:
            print("  ", e)
