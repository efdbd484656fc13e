"""`comptoir sentiment train|eval`: the sentiment model, trainable and measurable by anyone."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Sentiment model (negative, neutral, positive): `train --csv` (writes a model; "
        "COMPTOIR_SENTIMENT_MODEL selects it), `eval --csv` (negative-class precision, recall and "
        "F1, then macro_f1=<value> last)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Train the sentiment model on a labelled CSV and save it.")
        train.add_argument(
            "--csv", required=True, help="Labelled CSV file (labels: negative, neutral, positive)."
        )
        train.add_argument("--text", default="text", help="Text column of the CSV (default: text).")
        train.add_argument("--label", default="label", help="Label column of the CSV (default: label).")
        train.add_argument(
            "--out",
            help="Where to write the model (default: $COMPTOIR_SENTIMENT_MODEL, else sentiment-model.npz "
            "in the data directory).",
        )
        evaluate = sub.add_parser("eval", help="Measure a model on labelled data.")
        evaluate.add_argument("--csv", required=True, help="Labelled CSV file.")
        evaluate.add_argument("--text", default="text", help="Text column (default: text).")
        evaluate.add_argument("--label", default="label", help="Label column (default: label).")
        evaluate.add_argument("--model", help="Model to measure (default: the one Comptoir uses).")
        evaluate.add_argument(
            "--no-cues", action="store_true", help="The learned model alone, without the support cue layer."
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        return getattr(self, f"_{opts['action']}")(opts)

    def _read(self, opts) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
        from comptoir.nlp.classifier import read_csv

        try:
            texts, labels = read_csv(opts["csv"], text=opts["text"], label=opts["label"])
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        return texts, [label.lower() for label in labels]

    def _train(self, opts) -> None:  # type: ignore[no-untyped-def]
        from comptoir.nlp import sentiment

        texts, labels = self._read(opts)
        default = (
            os.environ.get("COMPTOIR_SENTIMENT_MODEL") or Path(settings.DATA_DIR) / "sentiment-model.npz"
        )
        out = Path(opts["out"] or default)
        try:
            model = sentiment.train(texts, labels)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        model.save(out)
        sentiment.reload()
        counts = ", ".join(f"{k} {v}" for k, v in model.config["label_counts"].items())
        self.stdout.write(f"trained on {len(texts)} examples ({counts}), {model.config['train_seconds']} s")
        self.stdout.write(f"model={out}")
        if out.resolve() != sentiment.model_path().resolve():
            self.stdout.write(f"Comptoir uses it once COMPTOIR_SENTIMENT_MODEL={out} is set for the worker.")

    def _eval(self, opts) -> None:  # type: ignore[no-untyped-def]
        from sklearn.metrics import f1_score, precision_recall_fscore_support

        from comptoir.nlp import sentiment

        texts, labels = self._read(opts)
        if not texts:
            raise CommandError("the CSV file has no labelled rows")
        unknown = sorted(set(labels) - set(sentiment.LABELS))
        if unknown:
            raise CommandError(f"unknown labels {unknown}: use {', '.join(sentiment.LABELS)}")
        try:
            model = sentiment.load(opts["model"]) if opts["model"] else sentiment.current()
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot load the model: {exc}") from exc
        started = time.perf_counter()
        predicted = [s.label for s in model.predict(texts, cues=not opts["no_cues"])]
        seconds = time.perf_counter() - started
        p, r, f, _ = precision_recall_fscore_support(
            labels, predicted, labels=["negative"], average=None, zero_division=0
        )
        macro = f1_score(labels, predicted, labels=list(sentiment.LABELS), average="macro", zero_division=0)
        accuracy = sum(a == b for a, b in zip(labels, predicted, strict=True)) / len(labels)
        self.stdout.write(f"n={len(labels)}")
        self.stdout.write(f"per_second={len(labels) / seconds:.1f}" if seconds > 0 else "per_second=inf")
        self.stdout.write(f"accuracy={accuracy:.4f}")
        self.stdout.write(f"negative_precision={p[0]:.4f}")
        self.stdout.write(f"negative_recall={r[0]:.4f}")
        self.stdout.write(f"negative_f1={f[0]:.4f}")
        self.stdout.write(f"macro_f1={macro:.4f}")
