from django.contrib import admin

from .models import Customer, CustomerMerge, Identity, Organisation


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "language", "tier", "organisation", "coordinator", "created_at")
    list_filter = ("tier",)
    raw_id_fields = ("merged_into", "organisation")
    search_fields = ("name", "identities__value")
    inlines = [IdentityInline]


@admin.register(CustomerMerge)
class CustomerMergeAdmin(admin.ModelAdmin):
    """Read-only: merges are made and undone from the desk, where both records are shown."""

    list_display = ("id", "source", "target", "actor_label", "created_at", "undone_at", "undone_by")
    raw_id_fields = ("source", "target")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Whether an organisation's contacts see all its requests in My requests (off by default)."""

    list_display = ("id", "name", "share_requests", "created_at")
    list_filter = ("share_requests",)
    search_fields = ("name",)
