from __future__ import annotations

import threading

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Receive email over SMTP; every message becomes a ticket message (or a kept failure)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, required=True)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from aiosmtpd.controller import Controller

        from comptoir.channels.email.smtp_server import ComptoirHandler

        controller = Controller(
            ComptoirHandler(), hostname=opts["host"], port=opts["port"],
            data_size_limit=settings.COMPTOIR_MAX_EMAIL_BYTES, decode_data=False,
        )  # fmt: skip
        controller.start()
        self.stdout.write(f"Comptoir SMTP receiver on {opts['host']}:{opts['port']}", ending="\n")
        self.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
