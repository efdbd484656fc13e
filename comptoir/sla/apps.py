from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "comptoir.sla"
    label = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from comptoir.common.config import invalidate_on_change

        from .models import BusinessCalendar, OpeningHours, SlaPolicy

        invalidate_on_change([SlaPolicy, BusinessCalendar, OpeningHours], "sla")
