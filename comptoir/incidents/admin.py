from django.contrib import admin

from .models import Incident, IncidentTicket, IncidentUpdate, Service, ServiceSubscription


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_fr", "name_en", "category")
    search_fields = ("slug", "name_fr", "name_en", "keywords")


@admin.register(ServiceSubscription)
class ServiceSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("service", "customer", "created_at")
    raw_id_fields = ("customer",)


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Read here; declared, updated and resolved from the desk or the API (broadcasts follow)."""

    list_display = ("id", "title", "service", "area", "impact", "status", "created_at")
    list_filter = ("status", "impact")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(IncidentUpdate)
class IncidentUpdateAdmin(admin.ModelAdmin):
    list_display = ("id", "incident", "status", "broadcast", "audience", "enqueued", "created_at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(IncidentTicket)
class IncidentTicketAdmin(admin.ModelAdmin):
    list_display = ("incident", "ticket", "how", "created_at")
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
