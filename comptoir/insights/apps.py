from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The quality dashboard (issue 12, items 6 to 9): figures kept up to date by a sweep of what
    changed, quality thresholds that open corrective actions, key accounts' own dashboard."""

    name = "comptoir.insights"
    label = "insights"
    verbose_name = _("Quality figures")

    def ready(self) -> None:
        from comptoir.common.jobs import register_job

        # Nothing in the request path: the worker reads what changed since its last sweep.
        register_job("metrics", "comptoir.insights.services.metrics_sweep", every=timedelta(seconds=15))
        register_job(
            "quality-thresholds",
            "comptoir.insights.thresholds.thresholds_evaluate",
            every=timedelta(minutes=5),
        )
        register_job(
            "quality-reports", "comptoir.insights.key_accounts.quality_reports_send", every=timedelta(days=1)
        )
