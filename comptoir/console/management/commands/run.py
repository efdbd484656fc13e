from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Apply pending migrations, then serve Comptoir with an in-process task worker."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="Do not run tasks here.")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from waitress import serve

        from comptoir.console.workers import start_background
        from comptoir.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database ready."))
        if not opts["no_worker"]:
            start_background()
            self.stdout.write("Task worker running in this process.")
        mail = "captured in the database (desk › Outgoing messages)" if not settings.EMAIL_URL else "SMTP"
        self.stdout.write(f"Outgoing mail: {mail}")
        self.stdout.write(
            self.style.SUCCESS(f"Comptoir on http://{opts['host']}:{opts['port']}/ "
                               f"(desk: /desk/, API: /api/v1/docs)")
        )  # fmt: skip
        serve(application, host=opts["host"], port=opts["port"], threads=opts["threads"])
