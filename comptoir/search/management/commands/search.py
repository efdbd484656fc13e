from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from comptoir.search.services import search_reindex


class Command(BaseCommand):
    help = "Search: `search reindex` rebuilds the index of every ticket and customer."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        reindex = sub.add_parser("reindex", help="Rebuild the search index (after a bulk load or a restore).")
        reindex.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        counts = search_reindex(batch=opts["batch"], verbose=True)
        self.stdout.write(
            _("Indexed %(tickets)d tickets and %(customers)d customers in %(seconds).1f s.")
            % {**counts, "seconds": time.perf_counter() - started}
        )
