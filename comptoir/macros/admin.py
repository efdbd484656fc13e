from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Macro


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "set_status", "set_priority", "set_team", "updated_at")
    list_filter = (("owner", admin.EmptyFieldListFilter), "set_status", "set_priority")
    search_fields = ("name", "body_fr", "body_en")
    raw_id_fields = ("owner",)
    fieldsets = (
        (None, {"fields": ("name", "owner", "body_fr", "body_en")}),
        (_("Actions"), {"fields": ("set_status", "set_priority", "set_team")}),
    )
