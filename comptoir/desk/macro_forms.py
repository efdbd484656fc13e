"""Forms of the reply tools (issue 10): macros and the agent's own settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.services import SIGNATURE_MAX
from comptoir.macros.models import STATUS_CHOICES
from comptoir.macros.services import MacroData
from comptoir.routing.selectors import team_list
from comptoir.tickets.models import Ticket


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    body_fr = forms.CharField(
        label=_("Text (French)"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    body_en = forms.CharField(
        label=_("Text (English)"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    shared = forms.BooleanField(label=_("Shared with every agent"), required=False)
    set_status = forms.ChoiceField(
        label=_("Then set the status"), required=False, choices=[("", "—"), *STATUS_CHOICES]
    )
    set_priority = forms.ChoiceField(
        label=_("Then set the priority"), required=False, choices=[("", "—"), *Ticket.Priority.choices]
    )
    set_team = forms.ModelChoiceField(label=_("Then set the team"), queryset=None, required=False)

    def __init__(self, *args, may_share: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """``may_share``: a supervisor creating a macro chooses whether it is shared; editing
        keeps what it is (no field)."""
        super().__init__(*args, **kwargs)
        self.fields["set_team"].queryset = team_list()
        if not may_share:
            del self.fields["shared"]

    def data_for_service(self) -> MacroData:
        d = self.cleaned_data
        return MacroData(
            name=d["name"], body_fr=d["body_fr"], body_en=d["body_en"], shared=d.get("shared", False),
            set_status=d["set_status"], set_priority=d["set_priority"], set_team=d["set_team"],
        )  # fmt: skip


class SignatureForm(forms.Form):
    signature_fr = forms.CharField(
        label=_("Signature (French)"), required=False, max_length=SIGNATURE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    signature_en = forms.CharField(
        label=_("Signature (English)"), required=False, max_length=SIGNATURE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
