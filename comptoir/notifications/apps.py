from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "comptoir.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from datetime import timedelta

        from comptoir.common.jobs import register_job
        from comptoir.tickets.changes import When, on_change

        from .handlers import HANDLERS

        # After the commit: a notification is about something that happened, never undone by it.
        for kinds, handler in HANDLERS:
            on_change(kinds, handler, when=When.AFTER_COMMIT)
        register_job(
            "notifications-presence-prune", "comptoir.notifications.services.presence_prune",
            every=timedelta(minutes=10),
        )  # fmt: skip
