from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentConfig(AppConfig):
    name = "comptoir.assignment"
    label = "assignment"
    verbose_name = _("Assignment")

    def ready(self) -> None:
        from comptoir.tickets.changes import enricher

        from .services import auto_assign_step

        enricher("assignment", auto_assign_step, order=30)
