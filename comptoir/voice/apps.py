from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    """Voice of the customer as they write (issue 12): sentiment of every inbound message, the
    alerts it raises, and each ticket's customer-effort score."""

    name = "comptoir.voice"
    label = "voice"
    verbose_name = _("Sentiment and effort")

    def ready(self) -> None:
        from datetime import timedelta

        from comptoir.common.jobs import register_job
        from comptoir.tickets.changes import CUSTOMER_MESSAGE, When, enricher, on_change
        from comptoir.tickets.models import TicketEvent

        from .effort import effort_on_change
        from .services import sentiment_enrich, sentiment_on_change

        # A new ticket's first message: after triage (10) and auto-assignment (30), so the alert
        # reaches the assignee; later messages: a task queued with the change that added them.
        enricher("sentiment", sentiment_enrich, order=35)
        on_change({CUSTOMER_MESSAGE, TicketEvent.Kind.CREATED}, sentiment_on_change, when=When.IN_TRANSACTION)
        on_change(
            {TicketEvent.Kind.STATUS, TicketEvent.Kind.TEAM, TicketEvent.Kind.ESCALATION}, effort_on_change,
            when=When.IN_TRANSACTION,
        )  # fmt: skip
        register_job("sentiment", "comptoir.voice.services.sentiment_sweep", every=timedelta(minutes=1))
