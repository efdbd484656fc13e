from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "comptoir.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from comptoir.common.jobs import register_job

        # Emails stored but never processed (the receiver died between the two commits).
        register_job("inbound", "comptoir.channels.email.ingest.email_sweep")
