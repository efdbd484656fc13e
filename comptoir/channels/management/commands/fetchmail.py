from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Fetch email from the IMAP mailbox in COMPTOIR_IMAP_URL (IDLE if offered) into tickets."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--url", default=None, help="Overrides COMPTOIR_IMAP_URL.")
        parser.add_argument("--once", action="store_true", help="Fetch what is there, then exit.")
        parser.add_argument("--poll-every", type=int, default=60)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from comptoir.channels.email.imap import ImapConfig, run

        url = opts["url"] or settings.COMPTOIR_IMAP_URL
        if not url:
            raise CommandError("Set COMPTOIR_IMAP_URL (imap://user:password@host:port/INBOX) or --url.")
        try:
            config = ImapConfig.from_url(url)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        while True:
            try:
                count = run(config, once=opts["once"], poll_every=opts["poll_every"])
            except (OSError, Exception) as exc:  # noqa: BLE001 - reconnect on any server trouble
                if opts["once"]:
                    # Never echo the URL: it holds the password.
                    raise CommandError(
                        f"IMAP error on {config.host}:{config.port}: {type(exc).__name__}"
                    ) from exc
                self.stderr.write(f"IMAP error ({type(exc).__name__}); reconnecting in 30 s")
                time.sleep(30)
                continue
            self.stdout.write(f"Fetched {count} message(s).")
            return
