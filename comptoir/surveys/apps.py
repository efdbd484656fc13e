from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Asking the customer (issue 12): satisfaction and effort surveys after resolution, and the
    voice-of-customer log."""

    name = "comptoir.surveys"
    label = "surveys"
    verbose_name = _("Surveys and voice of the customer")

    def ready(self) -> None:
        from comptoir.common.jobs import register_job
        from comptoir.tickets.changes import When, on_change
        from comptoir.tickets.models import TicketEvent

        from . import history, services

        # After the commit: a resolution that rolls back sends nothing, and a failure here is
        # logged without undoing the resolution.
        on_change({TicketEvent.Kind.STATUS}, services.survey_on_status_change, when=When.AFTER_COMMIT)
        history.register()
        register_job("surveys-due", "comptoir.surveys.services.survey_sweep", every=timedelta(seconds=60))
