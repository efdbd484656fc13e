from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import PRECEDENCE_HELP, BusinessCalendar, OpeningHours, SlaPolicy
from .selectors import policy_criteria


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "always_open", "holiday_country", "holiday_subdiv"]
    search_fields = ["name"]
    inlines = [OpeningHoursInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "applies_to",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "warning_percent",
        "calendar",
    ]
    list_filter = ["priority", "customer_tier", "calendar"]
    search_fields = ["name", "category_slug"]
    list_select_related = ["calendar"]
    fieldsets = [
        (None, {"fields": ["name", "calendar"]}),
        (_("Which tickets it applies to"), {"fields": ["customer_tier", "priority", "category_slug"],
                                            "description": PRECEDENCE_HELP}),
        (_("Targets"), {"fields": ["first_response_minutes", "next_response_minutes", "resolution_minutes",
                                   "warning_percent"]}),
    ]  # fmt: skip

    @admin.display(description=_("applies to"))
    def applies_to(self, policy: SlaPolicy) -> str:
        return ", ".join(policy_criteria(policy)) or str(_("every ticket"))

    def changelist_view(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        """The precedence rule above the list, where an administrator compares policies: a help
        paragraph (admin/sla/slapolicy/change_list.html), not the subtitle, which Django also puts
        in the browser tab's title and draws big and bold under the Add button."""
        extra_context = {
            **(extra_context or {}),
            "title": capfirst(SlaPolicy._meta.verbose_name_plural),
            "precedence_help": PRECEDENCE_HELP,
        }
        return super().changelist_view(request, extra_context=extra_context)
