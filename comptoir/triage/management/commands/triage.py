"""`comptoir triage train|eval|setup`: the classifier, trainable and measurable by anyone."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Triage classifier: `train` (from resolved tickets and agents' corrections, or --csv), "
        "`eval --csv` (prints accuracy, then macro_f1=<value> last), "
        "`setup` (categories of the starter model)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Train the classifier and save it.")
        train.add_argument(
            "--csv", help="Labelled CSV file; without it, learn from this installation's history."
        )
        train.add_argument("--text", default="text", help="Text column of the CSV (default: text).")
        train.add_argument("--label", default="label", help="Label column of the CSV (default: label).")
        train.add_argument("--out", help="Where to write the model (default: the installation's model).")
        train.add_argument("--no-embeddings", action="store_true", help="TF-IDF features only (faster).")
        evaluate = sub.add_parser("eval", help="Measure a model on labelled data.")
        evaluate.add_argument("--csv", required=True, help="Labelled CSV file.")
        evaluate.add_argument("--text", default="text", help="Text column (default: text).")
        evaluate.add_argument("--label", default="label", help="Label column (default: label).")
        evaluate.add_argument("--model", help="Model to measure (default: the one triage uses now).")
        sub.add_parser("setup", help="Create a category for each label of the starter model (idempotent).")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        return getattr(self, f"_{opts['action']}")(opts)

    def _read(self, opts) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
        from comptoir.nlp.classifier import read_csv

        try:
            return read_csv(opts["csv"], text=opts["text"], label=opts["label"])
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc

    def _train(self, opts) -> None:  # type: ignore[no-untyped-def]
        from comptoir.nlp.classifier import train
        from comptoir.triage.services import classifier_reload, training_data

        texts, labels = self._read(opts) if opts["csv"] else training_data()
        if len(set(labels)) < 2:
            raise CommandError(
                f"{len(texts)} labelled examples in {len(set(labels))} categories: "
                "training needs examples of at least two categories."
            )
        out = Path(opts["out"] or settings.COMPTOIR_TRIAGE_MODEL)
        try:
            model = train(texts, labels, embeddings=not opts["no_embeddings"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out.parent.mkdir(parents=True, exist_ok=True)
        model.save(out)
        classifier_reload()
        self.stdout.write(
            f"trained on {len(texts)} examples, {len(model.labels)} categories, "
            f"C={model.config.get('C')}, {model.config.get('train_seconds')} s"
        )
        self.stdout.write(f"model={out}")

    def _eval(self, opts) -> None:  # type: ignore[no-untyped-def]
        from comptoir.nlp.classifier import TextClassifier, evaluate
        from comptoir.triage.services import classifier

        texts, labels = self._read(opts)
        if not texts:
            raise CommandError("the CSV file has no labelled rows")
        try:
            model = TextClassifier.load(opts["model"]) if opts["model"] else classifier()
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot load the model: {exc}") from exc
        result = evaluate(model, texts, labels)
        self.stdout.write(f"n={result['n']}")
        self.stdout.write(f"per_second={result['per_second']}")
        self.stdout.write(f"accuracy={result['accuracy']:.4f}")
        self.stdout.write(f"macro_f1={result['macro_f1']:.4f}")

    def _setup(self, opts) -> None:  # type: ignore[no-untyped-def]
        from comptoir.triage.services import starter_categories_setup

        created = starter_categories_setup()
        self.stdout.write(f"categories created: {created}")
        # Where each category's tickets go; unrouted ones land in the default team.
        from comptoir.routing.selectors import team_default
        from comptoir.tickets.selectors import category_list

        default = team_default()
        fallback = f"{default.name} (default team)" if default else "no team: set a default team"
        for category in category_list():
            team = category.team.name if category.team_id else fallback
            self.stdout.write(f"  {category.slug} -> {team}")
        self.stdout.write("Choose each category's team on the desk (/desk/categories/) or in the admin.")
