"""The agent's "My settings" page (issue 10): an agent's own preferences, one section per topic.

Each topic is one form posted to its own URL (``desk:me_<topic>``) and one include in
``desk/me.html``; a new topic (notification preferences, ...) adds its section there and its
form to ``_sections`` without touching the others.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from comptoir.accounts.services import agent_signature_set, user_language_set
from comptoir.common.exceptions import DomainError

from ..macro_forms import SignatureForm
from .common import agent_required


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)


def _sections(request: HttpRequest, **bound: Any) -> dict[str, Any]:
    """Every section's form: the one just posted (with its errors) or a fresh one."""
    user = request.user
    return {
        "signature_form": bound.get("signature_form")
        or SignatureForm(initial={"signature_fr": user.signature_fr, "signature_en": user.signature_en}),
        "language_form": bound.get("language_form") or LanguageForm(initial={"language": user.language}),
    }


@agent_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/me.html", _sections(request))


@agent_required
@require_POST
def me_signature(request: HttpRequest) -> HttpResponse:
    form = SignatureForm(request.POST)
    if form.is_valid():
        try:
            agent_signature_set(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Signature saved."))
            return redirect("desk:me")
    return render(request, "desk/me.html", _sections(request, signature_form=form), status=400)


def _remember_language(response: HttpResponse, code: str) -> None:
    """The interface follows the saved language (the cookie Django's switch sets)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )  # fmt: skip


@agent_required
@require_POST
def me_language(request: HttpRequest) -> HttpResponse:
    """The agent's language: the desk's and their emails' (issue 10, item 11)."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        user = user_language_set(user=request.user, language=form.cleaned_data["language"])
        translation.activate(user.language)  # the confirmation is already in the new language
        messages.success(request, _("Language saved."))
        response = redirect("desk:me")
        _remember_language(response, user.language)
        return response
    return render(request, "desk/me.html", _sections(request, language_form=form), status=400)


def language_switch(request: HttpRequest) -> HttpResponse:
    """Every page's language switch (``set_language``): Django's view, and for a signed-in agent
    their saved language too, so the emails Comptoir sends them follow what they read."""
    response = set_language(request)
    user = request.user
    code = request.POST.get("language", "") if request.method == "POST" else ""
    if (
        code in dict(settings.LANGUAGES)
        and user.is_authenticated
        and (user.is_agent or user.is_staff)
        and user.is_active
    ):
        user_language_set(user=user, language=code)
    return response
