from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User


@admin.register(User)
class ComptoirUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Comptoir", {"fields": ("name", "level", "language", "teams", "is_agent")}),
        (_("Signature"), {"fields": ("signature_fr", "signature_en")}),
        (
            _("Assignment"),
            {
                "fields": (
                    "is_supervisor",
                    "skills",
                    "languages",
                    "capacity",
                    "is_available",
                    "can_pick",
                    "can_merge_customers",
                    "mentor",
                )
            },
        ),  # fmt: skip
    )
    list_display = ("email", "name", "level", "is_agent", "is_supervisor", "is_available", "is_staff")
    filter_horizontal = ("groups", "user_permissions", "teams", "skills")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
