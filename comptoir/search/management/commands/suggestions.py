from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from comptoir.search.suggestions import KINDS, suggestions_compute_missing, vectors_reindex, vectors_train


class Command(BaseCommand):
    help = (
        "Suggestions: `suggestions reindex` embeds every published article and resolved ticket "
        "(and computes the suggestions of tickets that have none); `suggestions train` retrains "
        "the inverted lists."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        reindex = sub.add_parser(
            "reindex", help="Embed everything eligible again (after a bulk load or a restore)."
        )
        reindex.add_argument("--batch", type=int, default=256)
        reindex.add_argument(
            "--no-compute", action="store_true", help="Do not compute the missing tickets' suggestions."
        )
        train = sub.add_parser("train", help="Retrain the k-means centroids and reassign every vector.")
        train.add_argument(
            "--lists", type=int, default=None, help="Number of lists (default: from the count)."
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        if opts["action"] == "train":
            for kind in KINDS:
                lists = vectors_train(kind, lists=opts["lists"])
                self.stdout.write(_("%(kind)s: %(lists)d lists.") % {"kind": kind, "lists": lists})
        else:
            counts = vectors_reindex(batch=opts["batch"])
            computed = 0 if opts["no_compute"] else suggestions_compute_missing(batch=opts["batch"])
            self.stdout.write(
                _(
                    "Embedded %(articles)d articles and %(tickets)d tickets; "
                    "suggestions computed for %(computed)d tickets."
                )
                % {**counts, "computed": computed}
            )
        self.stdout.write(_("Done in %(seconds).1f s.") % {"seconds": time.perf_counter() - started})
