from django.contrib import admin

from comptoir.tickets.models import Category

from .models import TrainingExample, TriageDecision, TriageRule


@admin.register(TriageRule)
class TriageRuleAdmin(admin.ModelAdmin):
    """Where administrators write the rules triage applies before the classifier."""

    list_display = (
        "order",
        "name",
        "is_active",
        "channel",
        "sender_domain",
        "set_category",
        "set_team",
        "set_priority",
    )
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    raw_id_fields = ("customer",)


@admin.register(TriageDecision)
class TriageDecisionAdmin(admin.ModelAdmin):
    list_display = ("ticket", "language", "label", "confidence", "source", "needs_review", "created_at")
    list_filter = ("source", "needs_review", "language")
    raw_id_fields = ("ticket",)


@admin.register(TrainingExample)
class TrainingExampleAdmin(admin.ModelAdmin):
    list_display = ("label", "predicted", "source", "language", "author", "created_at")
    list_filter = ("source", "label")
    raw_id_fields = ("ticket",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Categories with the team that receives their tickets (empty: the default team)."""

    list_display = ("slug", "name_en", "name_fr", "team", "skill")
    list_editable = ("team",)
    list_filter = ("team",)
    search_fields = ("slug", "name_en", "name_fr")
