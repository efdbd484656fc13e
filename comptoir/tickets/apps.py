from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "comptoir.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from comptoir.common.jobs import register_job

        # SLA warnings and breaches fire within COMPTOIR_SLA_POLL seconds of their instant: the
        # tickets' next-check index is the queue.
        sla_poll = timedelta(seconds=settings.COMPTOIR_SLA_POLL)
        register_job("sla", "comptoir.tickets.sla.sla_sweep", every=sla_poll)
        # New tickets whose enrichment task was lost (still "being analysed").
        register_job("enrichment", "comptoir.tickets.enrichment.enrichment_sweep")
        # Snoozed tickets whose time has come go back to the active lists (issue 10).
        register_job("snooze", "comptoir.tickets.snooze.snooze_wake_due", every=timedelta(seconds=30))
        from .history_actions import register as history_actions_register

        history_actions_register()
