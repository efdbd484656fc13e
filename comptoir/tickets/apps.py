from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "comptoir.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from comptoir.common.jobs import register_job

        # SLA warnings and breaches whose scheduled check was lost.
        register_job("sla", "comptoir.tickets.sla.sla_sweep")
        # New tickets whose enrichment task was lost (still "being analysed").
        register_job("enrichment", "comptoir.tickets.enrichment.enrichment_sweep")
