from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "comptoir.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        from comptoir.common.jobs import register_job

        # Deliveries whose send was lost (crash, lease expired) or is due for a retry.
        register_job("outbox", "comptoir.outbox.services.delivery_sweep")
