from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ContactForm(forms.Form):
    """Who is writing: a name and a way to answer them (email or phone, at least one)."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Give an email address or a phone number."))
        return data


class RequestForm(ContactForm):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=20000)
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)
    submission_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # Issue 11: the form session's token for the article suggestions (portal.deflection).
    deflection = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea, max_length=20000)
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)
    # One per form shown: a double submit or a retry of the same form makes one message.
    submission_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ChatStartForm(ContactForm):
    message = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    submission_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ChatMessageForm(forms.Form):
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    submission_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)


class MyRequestForm(forms.Form):
    """A signed-in customer's new request: who they are is known, only what they need is asked."""

    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, max_length=20000)
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)
    submission_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    deflection = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
