from django.contrib import admin

from .models import Survey, VocEntry


class _ReadOnly(admin.ModelAdmin):
    """Surveys are answered by customers and entries written on the desk: the admin only reads."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Survey)
class SurveyAdmin(_ReadOnly):
    list_display = (
        "ticket",
        "status",
        "channel",
        "language",
        "sent_at",
        "satisfaction",
        "effort",
        "answered_at",
    )
    list_filter = ("status", "channel")
    raw_id_fields = ("ticket", "customer")
    exclude = ("token_hash",)


@admin.register(VocEntry)
class VocEntryAdmin(_ReadOnly):
    list_display = ("id", "customer", "source", "created_at", "ticket")
    list_filter = ("source",)
    raw_id_fields = ("customer", "author", "ticket", "message", "survey")
