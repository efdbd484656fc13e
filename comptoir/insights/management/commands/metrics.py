"""`comptoir metrics rebuild|sweep|show`: the quality figures from the command line."""

from __future__ import annotations

import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Quality figures: `rebuild` (every ticket's facts and the daily sums again, after an upgrade "
        "or a restore), `sweep` (bring them up to date now; the worker does it every 15 s), "
        "`show --from --to` (the figures as JSON)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="Compute every ticket's figures again from the tickets.")
        sub.add_parser("sweep", help="Bring the figures up to date with what changed.")
        show = sub.add_parser("show", help="Print the figures of a period as JSON.")
        show.add_argument("--from", dest="start", help="First day, YYYY-MM-DD (default: 1st of this month).")
        show.add_argument("--to", dest="end", help="Last day, YYYY-MM-DD (default: today).")
        show.add_argument("--team", type=int, help="A team's id.")
        show.add_argument("--category", help="A category's slug or id.")
        show.add_argument("--channel", help="web, email, sms, chat, phone or api.")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from comptoir.common.exceptions import DomainError
        from comptoir.insights import selectors, services

        started = time.perf_counter()
        if opts["action"] == "rebuild":
            count = services.metrics_rebuild()
            self.stdout.write(f"tickets={count} seconds={time.perf_counter() - started:.1f}")
        elif opts["action"] == "sweep":
            total = services.metrics_sweep()
            while services.metrics_behind():  # a first run over many tickets: catch up
                total += services.metrics_sweep()
            self.stdout.write(f"tickets_changed={total} seconds={time.perf_counter() - started:.1f}")
        else:
            try:
                today = timezone.localdate()
                start = date.fromisoformat(opts["start"]) if opts["start"] else today.replace(day=1)
                end = date.fromisoformat(opts["end"]) if opts["end"] else today
                filters = selectors.filters_resolve(
                    start=start, end=end, team=opts["team"], category=opts["category"],
                    channel=opts["channel"],
                )  # fmt: skip
            except (ValueError, DomainError) as exc:
                raise CommandError(str(getattr(exc, "message", exc))) from exc
            self.stdout.write(json.dumps(selectors.metrics(filters), indent=2, default=str))
