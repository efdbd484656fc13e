from __future__ import annotations

import threading

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (and the periodic jobs the apps registered) alone."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--sweep-every", type=float, default=None, help="default: COMPTOIR_SWEEP_EVERY")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from django.conf import settings

        from comptoir.console.workers import _sweep_forever, make_task_worker

        stop = threading.Event()
        every = settings.COMPTOIR_SWEEP_EVERY if opts["sweep_every"] is None else opts["sweep_every"]
        # The first sweep runs at once: it recovers what a killed worker left (task rows, sends).
        threading.Thread(target=_sweep_forever, args=(stop, every), daemon=True).start()
        worker = make_task_worker(interval=opts["interval"])
        worker.configure_signals()
        self.stdout.write("Comptoir worker started.")
        try:
            worker.run()
        finally:
            stop.set()
