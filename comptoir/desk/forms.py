from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.selectors import agent_list
from comptoir.common.ids import ID_MAX
from comptoir.routing.selectors import team_list
from comptoir.tickets.models import Ticket
from comptoir.tickets.selectors import category_list


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea, max_length=100_000)
    internal = forms.BooleanField(label=_("Internal note (not sent to the customer)"), required=False)
    configuration_items = forms.CharField(
        label=_("Configuration items named (comma-separated)"), required=False, max_length=1000
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def clean_configuration_items(self) -> list[str]:
        raw = self.cleaned_data.get("configuration_items") or ""
        return [part.strip() for part in raw.split(",") if part.strip()]


class UpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False)
    category = forms.TypedChoiceField(label=_("Category"), required=False, choices=())

    def __init__(self, *args, assign: bool = True, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """``assign``: whether the actor may choose who holds the ticket (``TicketActions.assign``);
        without it the form has no assignee field and leaves the assignee as it is."""
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list()
        if assign:
            self.fields["assignee"].queryset = agent_list()
        else:
            del self.fields["assignee"]
        self.fields["category"].choices = [("", "—")] + [(c.slug, str(c)) for c in category_list()]


class CallForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name (new customer)"), required=False, max_length=200)
    email = forms.EmailField(label=_("Email (new customer)"), required=False)
    phone = forms.CharField(label=_("Phone (new customer)"), required=False, max_length=40)
    account = forms.CharField(label=_("Account number (new customer)"), required=False, max_length=64)
    ticket = forms.CharField(label=_("Add to ticket"), required=False, max_length=20)
    subject = forms.CharField(label=_("Subject (new request)"), required=False, max_length=255)
    summary = forms.CharField(label=_("What the customer asked"), widget=forms.Textarea, max_length=20000)
    send_link = forms.ChoiceField(
        label=_("Send the tracking link"),
        required=False,
        choices=[("", _("No")), ("email", _("By email")), ("sms", _("By SMS"))],
    )
    # One per form shown: a double submit or a resent POST logs the call once (intake's key).
    submission_id = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=lambda: uuid.uuid4().hex
    )

    def renew_submission(self) -> None:
        """A refused submission is finished: the corrected one must be new, not taken for a retry."""
        self.data = self.data.copy()
        self.data["submission_id"] = uuid.uuid4().hex


class MergeForm(forms.Form):
    # Bounded: a number past any database id is a form error, not a server error (issue 8).
    other = forms.IntegerField(
        label=_("Merge this customer into customer number"), min_value=1, max_value=ID_MAX
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=[("sms", _("SMS"))])
    granted = forms.BooleanField(label=_("Agrees to be contacted"), required=False)
