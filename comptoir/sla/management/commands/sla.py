from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from comptoir.sla.services import sla_default_setup


class Command(BaseCommand):
    help = "Service levels: `sla setup` creates the default calendar and policies (idempotent)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("setup", help="Create the default business calendar and SLA policies if missing.")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        result = sla_default_setup()
        if result.calendar_created:
            self.stdout.write(_("Created the business calendar %(name)s.") % {"name": result.calendar.name})
        self.stdout.write(_("SLA policies created: %(count)d.") % {"count": result.policies_created})
