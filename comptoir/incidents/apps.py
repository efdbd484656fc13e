from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """Major incidents, their broadcasts and the status page, and problems (issue 13)."""

    name = "comptoir.incidents"
    label = "incidents"
    verbose_name = _("Major incidents")

    def ready(self) -> None:
        from comptoir.common.jobs import register_job
        from comptoir.tickets.changes import enricher

        from . import history, rules

        # After triage (10) has set the category the rule reads, before suggestions (40).
        enricher("incidents", rules.incident_rules_enrich, order=35)
        history.register()
        register_job(
            "incident-broadcasts", "comptoir.incidents.broadcast.broadcast_sweep", every=timedelta(seconds=30)
        )
        # Items 5 and 6: recurring clusters become proposals; repeat customers, coaching.
        register_job(
            "problem-detection", "comptoir.incidents.clustering.problems_job", every=timedelta(hours=1)
        )
