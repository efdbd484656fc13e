from django import forms
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Skill, Team
from .services import team_set_default


class TeamAdminForm(forms.ModelForm):
    """The default team is a plain checkbox here: ticking it moves the default from another team."""

    make_default = forms.BooleanField(
        label=capfirst(_("default team")),  # a form field's label is not capitalised as a model field's is
        required=False,
        help_text=_("New tickets that no rule or category sends elsewhere land in this team."),
    )

    class Meta:
        model = Team
        fields = ["name", "level", "auto_assign", "escalation_team"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["make_default"].initial = bool(self.instance.pk and self.instance.is_default)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    list_display = ("name", "level", "is_default", "escalation_team", "auto_assign")
    fields = ("name", "level", "make_default", "escalation_team", "auto_assign")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("make_default"):
            team_set_default(team=obj)
        elif obj.is_default:
            team_set_default(team=None)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("slug", "name")
