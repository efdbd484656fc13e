"""The quality threshold and corrective-action forms (issue 12, item 7)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.insights.models import QualityThreshold, ThresholdFigure
from comptoir.insights.thresholds import ThresholdData, owner_choices
from comptoir.routing.selectors import team_list
from comptoir.tickets.models import Channel
from comptoir.tickets.selectors import category_list


class ThresholdForm(forms.Form):
    figure = forms.ChoiceField(label=_("Figure"), choices=ThresholdFigure.choices)
    comparison = forms.ChoiceField(
        label=_("Alert when the figure"), choices=QualityThreshold.Comparison.choices
    )
    value = forms.DecimalField(
        label=_("Threshold"), max_digits=12, decimal_places=2, min_value=0,
        help_text=_(
            "In the figure's unit: percent for shares (85 for 85 %), minutes for times, the scale "
            "for averages, a number for counts."
        ),
    )  # fmt: skip
    window = forms.ChoiceField(label=_("Over"), choices=QualityThreshold.Window.choices)
    team = forms.ChoiceField(label=_("Team"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    owner = forms.ChoiceField(
        label=_("Owner"),
        help_text=_("The agent who receives the corrective action when the threshold is crossed."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._teams = {str(t.pk): t for t in team_list()}
        self._categories = {str(c.pk): c for c in category_list()}
        self._owners = {str(u.pk): u for u in owner_choices()}
        self.fields["team"].choices = [("", _("All teams")), *[(k, t.name) for k, t in self._teams.items()]]
        self.fields["category"].choices = [
            ("", _("All categories")), *[(k, str(c)) for k, c in self._categories.items()],
        ]  # fmt: skip
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]
        self.fields["owner"].choices = [("", "—"), *[(k, u.name or u.email) for k, u in self._owners.items()]]

    @classmethod
    def initial_from(cls, threshold: QualityThreshold) -> dict:
        return {
            "figure": threshold.figure, "comparison": threshold.comparison, "value": threshold.value,
            "window": threshold.window, "team": str(threshold.team_id or ""),
            "category": str(threshold.category_id or ""), "channel": threshold.channel,
            "owner": str(threshold.owner_id), "active": threshold.active,
        }  # fmt: skip

    def data_for_service(self) -> ThresholdData:
        d = self.cleaned_data
        return ThresholdData(
            figure=d["figure"], comparison=d["comparison"], value=d["value"], window=d["window"],
            owner=self._owners[d["owner"]], team=self._teams.get(d["team"] or ""),
            category=self._categories.get(d["category"] or ""), channel=d["channel"] or "",
            active=d["active"],
        )  # fmt: skip


class ActionDoneForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
