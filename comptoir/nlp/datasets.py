"""Loaders for the labelled sets in ``../shared/data`` used by the triage benchmark.

The data itself never ships: these functions read it from a folder given by the caller, and the
splits are fixed (seeded, stratified) so that training and evaluation agree on what is held out.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from comptoir.nlp.classifier import read_csv

Pairs = tuple[list[str], list[str]]
Split = tuple[list[str], list[str], list[str], list[str]]
FRENCH_HANDWRITTEN = (
    Path(__file__).resolve().parents[2] / "tests" / "nlp" / "data" / "fr_support_handwritten.csv"
)


def stratified_split(
    texts: Sequence[str], labels: Sequence[str], *, test_size: float, seed: int = 0
) -> Split:
    """(train texts, train labels, test texts, test labels), same class mix on both sides."""
    from sklearn.model_selection import train_test_split

    xtr, xte, ytr, yte = train_test_split(
        list(texts), list(labels), test_size=test_size, stratify=list(labels), random_state=seed
    )
    return xtr, ytr, xte, yte


def few_shot(texts: Sequence[str], labels: Sequence[str], *, per_class: int, seed: int = 0) -> Pairs:
    """``per_class`` examples of each label, drawn with a fixed seed."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for text, label in zip(texts, labels, strict=True):
        by_label[label].append(text)
    rng = random.Random(seed)  # noqa: S311 - reproducible sampling, not security
    out_t, out_l = [], []
    for label in sorted(by_label):
        for text in rng.sample(by_label[label], min(per_class, len(by_label[label]))):
            out_t.append(text)
            out_l.append(label)
    return out_t, out_l


def banking77(data: Path) -> Pairs:
    return read_csv(data / "banking77" / "train.csv", text="text", label="label")


def clinc150(data: Path, split: str) -> Pairs:
    """In-scope intents of one CLINC150 split ("train", "val" or "test")."""
    rows = json.loads((data / "clinc150" / "data_full.json").read_text(encoding="utf-8"))[split]
    return [r[0] for r in rows], [r[1] for r in rows]


def bitext(data: Path, label: str = "category") -> Pairs:
    texts, labels = read_csv(
        data / "bitext-customer-support" / "bitext_customer_support.csv", text="text", label=label
    )
    return texts, [x.lower() for x in labels]


def bitext_starter_split(data: Path) -> Split:
    """Bitext's categories split 80 / 20 (the first starter model's split; now the English side of
    the benchmark's English -> French transfer row)."""
    return stratified_split(*bitext(data, "category"), test_size=0.2, seed=0)


def tweets(data: Path, lang: str, split: str = "dev") -> list[str]:
    texts, _ = read_csv(
        data / "sentiment-tweets-fr-en" / f"tweets_{lang}_{split}.csv", text="text", label="label"
    )
    return texts


def french_handwritten() -> Pairs:
    """220 short French support messages (11 bitext categories x 20), written for this project."""
    texts, labels = read_csv(FRENCH_HANDWRITTEN, text="text", label="label")
    return texts, [x.lower() for x in labels]
