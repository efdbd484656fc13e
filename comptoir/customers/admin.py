from django.contrib import admin

from .models import Customer, Identity


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "language", "tier", "coordinator", "created_at")
    list_filter = ("tier",)
    raw_id_fields = ("merged_into",)
    search_fields = ("name", "identities__value")
    inlines = [IdentityInline]
