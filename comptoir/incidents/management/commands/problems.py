"""``comptoir problems detect``: cluster the window's tickets, propose problems, suggest coaching."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from comptoir.incidents.clustering import coaching_detect, problems_detect


class Command(BaseCommand):
    help = "Problems: `problems detect` proposes problems from recurring clusters and suggests coaching."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        detect = sub.add_parser("detect", help="Run detection now (the worker runs it every hour).")
        detect.add_argument("--days", type=int, default=None, help="Window in days (default 14).")
        detect.add_argument(
            "--min-tickets", type=int, default=None, help="Smallest cluster proposed (default 5)."
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        found = problems_detect(days=opts["days"], min_size=opts["min_tickets"])
        if found.skipped:
            self.stderr.write(_("Detection skipped: %(why)s") % {"why": found.skipped})
        coaching = coaching_detect()
        self.stdout.write(
            _(
                "%(tickets)d tickets (%(embedded)d embedded), %(clusters)d clusters: %(proposed)d proposed, "
                "%(updated)d updated, %(remembered)d already decided; %(coaching)d coaching suggestions; "
                "%(seconds).1f s."
            )
            % {
                "tickets": found.tickets,
                "embedded": found.embedded,
                "clusters": found.clusters,
                "proposed": len(found.proposed),
                "updated": len(found.updated),
                "remembered": found.remembered,
                "coaching": len(coaching),
                "seconds": found.seconds,
            }  # fmt: skip
        )
