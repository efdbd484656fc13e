from django.contrib import admin

from .models import BusinessCalendar, OpeningHours, SlaPolicy


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "holiday_country", "holiday_subdiv"]
    search_fields = ["name"]
    inlines = [OpeningHoursInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "priority",
        "customer_tier",
        "category_slug",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "warning_percent",
        "calendar",
    ]
    list_filter = ["priority", "customer_tier", "calendar"]
    search_fields = ["name", "category_slug"]
    list_select_related = ["calendar"]
