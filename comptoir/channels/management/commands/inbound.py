from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Inbound messages kept with an error: `inbound failed` lists them, `inbound replay ID...`."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("failed", help="List kept failures with their reasons.")
        replay = sub.add_parser("replay", help="Process kept emails again.")
        replay.add_argument("ids", nargs="*", type=int)
        replay.add_argument("--all-failed", action="store_true")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from comptoir.channels.email.ingest import email_replay
        from comptoir.intake.selectors import inbound_failed

        if opts["action"] == "failed":
            for record in inbound_failed():
                self.stdout.write(
                    f"{record.pk}\t{record.channel}\t{record.received_at:%Y-%m-%d %H:%M}\t{record.error}"
                )
            return
        ids = list(opts["ids"])
        if opts["all_failed"]:
            ids += [r.pk for r in inbound_failed() if r.channel == "email"]
        for record_id in ids:
            outcome = email_replay(record_id=record_id)
            state = outcome.result.ticket.reference if outcome.result else f"failed: {outcome.error}"
            self.stdout.write(f"{record_id}\t{state}")
