from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.servers.basehttp import get_internal_wsgi_application


def served_base_url(host: str, port: int) -> str:
    """The address Comptoir serves on, as a link: a wildcard host (0.0.0.0, ::) becomes localhost."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        name = host
    else:
        if address.is_unspecified:
            name = "localhost"
        else:
            name = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{name}:{port}"


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

        # The project's WSGI application (settings.WSGI_APPLICATION), found by name: the UI
        # layer does not import the composition root above it.
        application = get_internal_wsgi_application()

        if not os.environ.get("COMPTOIR_BASE_URL"):
            # Links in emails (sent by the worker, with no request to read a host from) follow
            # the address served on, not the default port.
            settings.BASE_URL = served_base_url(opts["host"], opts["port"])
            served = urlsplit(settings.BASE_URL)
            settings.CSRF_TRUSTED_ORIGINS = [f"{served.scheme}://{served.netloc}"]
            host = served.netloc.rpartition(":")[0]  # IPv6 keeps its brackets, as Django wants
            if not os.environ.get("COMPTOIR_ALLOWED_HOSTS") and host not in settings.ALLOWED_HOSTS:
                settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database ready."))
        if not opts["no_worker"]:
            start_background()
            self.stdout.write("Task worker running in this process.")
        mail = "captured in the database (desk › Outgoing messages)" if not settings.EMAIL_URL else "SMTP"
        self.stdout.write(f"Outgoing mail: {mail}")
        self.stdout.write(f"Links in messages: {settings.BASE_URL} (set COMPTOIR_BASE_URL to change)")
        self.stdout.write(
            self.style.SUCCESS(f"Comptoir on http://{opts['host']}:{opts['port']}/ "
                               f"(desk: /desk/, API: /api/v1/docs)")
        )  # fmt: skip
        serve(application, host=opts["host"], port=opts["port"], threads=opts["threads"])
