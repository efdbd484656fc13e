from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "comptoir.triage"
    label = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from comptoir.common.config import invalidate_on_change
        from comptoir.routing.models import Skill, Team
        from comptoir.tickets.bulk import Action, on_bulk_action
        from comptoir.tickets.changes import When, enricher, on_change
        from comptoir.tickets.models import Category

        from .models import TriageRule
        from .services import learn_from_correction, triage_accept_kept, triage_accept_restore, triage_enrich

        invalidate_on_change([TriageRule, Category, Team, Skill], "routing")
        on_change({"category", "team"}, learn_from_correction, when=When.IN_TRANSACTION)
        enricher("triage", triage_enrich, order=10)
        # Undo of "Accept the suggestions" (issue 10) puts the triage queue back as it was.
        on_bulk_action(Action.ACCEPT_TRIAGE, keep=triage_accept_kept, restore=triage_accept_restore)
