from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistsConfig(AppConfig):
    name = "comptoir.worklists"
    label = "worklists"
    verbose_name = _("Work lists")

    def ready(self) -> None:
        from comptoir.tickets.changes import When, on_change

        from .services import COUNTED_KINDS, counters_on_change

        # In the change's transaction: a counter moves exactly when the ticket does, or not at all.
        on_change(COUNTED_KINDS, counters_on_change, when=When.IN_TRANSACTION)
