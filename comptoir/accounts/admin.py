from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, User


@admin.register(User)
class ComptoirUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Comptoir", {"fields": ("name", "level", "language", "teams", "is_agent")}),
    )
    list_display = ("email", "name", "level", "is_agent", "is_staff")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
