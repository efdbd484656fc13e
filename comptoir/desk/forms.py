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
    # Shown as a "Public reply" / "Internal note" switch (desk/_reply_form.html).
    internal = forms.BooleanField(label=_("Internal note (not sent to the customer)"), required=False)
    # Reply tools (issue 10): the macro whose actions apply when this is sent, and "send and set
    # status" (the clicked button's value).
    macro = forms.IntegerField(
        label=_("Macro"), widget=forms.HiddenInput, required=False, min_value=1, max_value=ID_MAX
    )
    then = forms.ChoiceField(
        label=_("Then set the status"),
        required=False,
        choices=[("", "—"), *[(s, Ticket.Status(s).label) for s in ("waiting_customer", "resolved")]],
    )
    configuration_items = forms.CharField(
        label=_("Configuration items named (comma-separated)"), required=False, max_length=1000
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def clean_configuration_items(self) -> list[str]:
        raw = self.cleaned_data.get("configuration_items") or ""
        return [part.strip() for part in raw.split(",") if part.strip()]


class AutocompleteInput(forms.TextInput):
    """A text input whose suggestions (a ``<datalist>``) come from a desk autocomplete endpoint
    as the agent types (htmx): a bounded list, never every user. Without JavaScript it is a
    plain text field (an email, a name)."""

    def __init__(self, url_name: str, list_id: str, attrs: dict | None = None) -> None:
        self.url_name, self.list_id = url_name, list_id
        super().__init__(attrs)

    def get_context(self, name, value, attrs):  # type: ignore[no-untyped-def]
        from django.urls import reverse

        attrs = {
            **(attrs or {}),
            "list": self.list_id,
            "autocomplete": "off",
            "hx-get": reverse(self.url_name),
            "hx-trigger": "input changed delay:200ms, focus once",
            "hx-target": f"#{self.list_id}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
        return super().get_context(name, value, attrs)

    def render(self, name, value, attrs=None, renderer=None):  # type: ignore[no-untyped-def]
        from django.utils.html import format_html

        html = super().render(name, value, attrs, renderer)
        return html + format_html('<datalist id="{}"></datalist>', self.list_id)


class AgentField(forms.CharField):
    """An agent, typed as an email (with the agents' autocomplete) or given by id."""

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", AutocompleteInput("desk:agent_autocomplete", "agent-options"))
        super().__init__(**kwargs)

    def clean(self, value):  # type: ignore[no-untyped-def]
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        agents = agent_list()
        by_id = value.isascii() and value.isdecimal() and len(value) < 19
        agent = (agents.filter(pk=int(value)) if by_id else agents.filter(email__iexact=value)).first()
        if agent is None:
            raise forms.ValidationError(_("No active agent has this email."), code="invalid_choice")
        return agent


class UpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)
    assignee = AgentField(label=_("Assignee (email)"), required=False)
    category = forms.TypedChoiceField(label=_("Category"), required=False, choices=())

    def __init__(self, *args, assign: bool = True, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """``assign``: whether the actor may choose who holds the ticket (``TicketActions.assign``);
        without it the form has no assignee field and leaves the assignee as it is."""
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list()
        if not assign:
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


def _any(choices) -> list:  # type: ignore[no-untyped-def]
    from django.utils.translation import pgettext_lazy

    return [("", pgettext_lazy("filter value", "Any"))] + list(choices)


class WorklistFilterForm(forms.Form):
    """A work list's filters and sort, read from and written back to the URL (GET)."""

    view = forms.CharField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.CharField(
        label=_("Assignee (email, “me” or “none”)"),
        required=False,
        max_length=254,
        widget=AutocompleteInput("desk:agent_autocomplete", "filter-agent-options"),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    sla = forms.ChoiceField(label=_("Service level"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        from django.conf import settings

        from comptoir.tickets.models import Channel
        from comptoir.worklists.selectors import SLA_STATES, SORT_LABELS

        super().__init__(*args, **kwargs)
        f = self.fields
        f["status"].choices = _any(Ticket.Status.choices)
        f["priority"].choices = _any(Ticket.Priority.choices)
        from django.utils.translation import get_language

        from comptoir.worklists.selectors import filter_choices

        known = filter_choices()  # cached per process: no query per page
        french = (get_language() or "en").startswith("fr")
        f["team"].choices = _any((str(pk), name) for pk, name in known["teams"])
        f["category"].choices = _any((slug, fr if french else en) for slug, en, fr in known["categories"])
        f["channel"].choices = _any(Channel.choices)
        f["language"].choices = _any((code, name) for code, name in settings.LANGUAGES)
        f["sla"].choices = _any(SLA_STATES.items())
        f["level"].choices = _any((str(v), label) for v, label in Ticket.Level.choices)
        f["sort"].choices = [("", _("Default"))] + list(SORT_LABELS.items())


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of this view"), max_length=80)
    shared = forms.BooleanField(label=_("Share with every agent"), required=False)
    query = forms.CharField(widget=forms.HiddenInput, max_length=1000, required=False)
