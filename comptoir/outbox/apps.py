from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "comptoir.outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from comptoir.common.jobs import register_job

        # The outbox is the queue: what is due is sent within COMPTOIR_OUTBOX_POLL seconds.
        poll = timedelta(seconds=settings.COMPTOIR_OUTBOX_POLL)
        register_job("outbox pump", "comptoir.outbox.services.delivery_pump", every=poll)
        # Deliveries whose send was lost (crash, lease expired).
        register_job("outbox", "comptoir.outbox.services.delivery_sweep")
