from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from comptoir.worklists.services import counters_rebuild


class Command(BaseCommand):
    help = "Work lists: `worklists recount` rebuilds the desk's view counters from the tickets."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("recount", help="Recount every view counter from the tickets table.")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        rows = counters_rebuild()
        self.stdout.write(_("View counters rebuilt: %(rows)d rows.") % {"rows": rows})
