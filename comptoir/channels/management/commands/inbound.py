from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Inbound messages kept with an error or left unprocessed: `inbound failed` lists them, "
        "`inbound replay ID...` processes emails again."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("failed", help="List kept failures with their reasons, then records waiting too long.")
        replay = sub.add_parser("replay", help="Process kept emails again.")
        replay.add_argument("ids", nargs="*", type=int)
        replay.add_argument("--all-failed", action="store_true")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from comptoir.channels.email.ingest import email_replay
        from comptoir.common.exceptions import NotFound
        from comptoir.intake.selectors import inbound_failed, inbound_waiting

        if opts["action"] == "failed":
            for record in inbound_failed():
                self.stdout.write(self._line(record, record.error))
            for record in inbound_waiting():
                self.stdout.write(self._line(record, "waiting: stored, not processed yet"))
            return
        ids = list(opts["ids"])
        if opts["all_failed"]:
            ids += [r.pk for r in inbound_failed() if r.channel == "email"]
        for record_id in ids:
            try:
                outcome = email_replay(record_id=record_id)
            except NotFound as exc:
                raise CommandError(f"{record_id}: {exc.message}") from exc
            state = outcome.result.ticket.reference if outcome.result else f"failed: {outcome.error}"
            self.stdout.write(f"{record_id}\t{state}")

    @staticmethod
    def _line(record, reason: str) -> str:  # type: ignore[no-untyped-def]
        """id, channel, date, sender, subject, reason: tab-separated, one line per record."""
        return "\t".join(
            [
                str(record.pk), record.channel, f"{record.received_at:%Y-%m-%d %H:%M}",
                record.sender or "-", record.subject or "-", reason,
            ]
        )  # fmt: skip
