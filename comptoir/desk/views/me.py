"""The agent's "My settings" page (issue 10): an agent's own preferences, one section per topic.

Each topic is one form posted to its own URL (``desk:me_<topic>``) and one include in
``desk/me.html``; a new topic (notification preferences, ...) adds its section there and its
form to ``_sections`` without touching the others.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.accounts.services import agent_signature_set
from comptoir.common.exceptions import DomainError

from ..macro_forms import SignatureForm
from .common import agent_required


def _sections(request: HttpRequest, **bound: Any) -> dict[str, Any]:
    """Every section's form: the one just posted (with its errors) or a fresh one."""
    user = request.user
    return {
        "signature_form": bound.get("signature_form")
        or SignatureForm(initial={"signature_fr": user.signature_fr, "signature_en": user.signature_en}),
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
