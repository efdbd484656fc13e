"""The survey page (issue 12, item 4): opened from the message's links, no sign-in.

Opening a link records nothing: mail scanners and link previews fetch every link of a message,
and a GET that recorded the score would let a scanner answer for the customer (always with the
first link, "1 – very dissatisfied", alerting a supervisor for nothing). The link's score comes
preselected and, in a person's browser, a small script posts it at once (one click from the
message; scanners do not run it); the page then offers the other question and a comment.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from comptoir.common.exceptions import DomainError, NotFound
from comptoir.surveys.services import (
    EFFORT,
    EFFORT_LABELS,
    SATISFACTION,
    SATISFACTION_LABELS,
    SurveyLocked,
    survey_answer,
    survey_by_token,
    survey_editable_until,
    survey_state,
)


class SurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how your request was handled?"), required=False, coerce=int,
        choices=[(n, f"{n} – {SATISFACTION_LABELS[n]}") for n in SATISFACTION], widget=forms.RadioSelect,
    )  # fmt: skip
    effort = forms.TypedChoiceField(
        label=_("How much effort did it take you to get it handled? (1 = very easy, 7 = very hard)"),
        required=False, coerce=int, widget=forms.RadioSelect,
        choices=[(n, f"{n} – {EFFORT_LABELS[n]}" if n in EFFORT_LABELS else str(n)) for n in EFFORT],
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _initial(request: HttpRequest, survey) -> dict:  # type: ignore[no-untyped-def]
    initial = {"satisfaction": survey.satisfaction, "effort": survey.effort, "comment": survey.comment}
    for name in ("satisfaction", "effort"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])  # the score of the link clicked, preselected
    return initial


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey_page(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        survey = survey_by_token(reference=reference, token=token)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:  # unless they chose one on the page
        translation.activate(survey.language)  # the customer's language, as in the message
        request.LANGUAGE_CODE = survey.language  # type: ignore[attr-defined]
    state = survey_state(survey)
    context = {"survey": survey, "ticket": survey.ticket, "state": state}
    if state != "open":
        return render(request, "portal/survey_closed.html", context, status=410)
    form = (
        SurveyForm(request.POST)
        if request.method == "POST"
        else SurveyForm(initial=_initial(request, survey))
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(reference=reference, token=token, **form.cleaned_data)
        except SurveyLocked:
            return render(request, "portal/survey_closed.html", {**context, "state": "locked"}, status=410)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{request.path}?done=1")
    # A score link opened before any answer: survey.js sends it (one click from the message).
    autosubmit = (
        request.method == "GET"
        and survey.answered_at is None
        and any(request.GET.get(name, "").isdigit() for name in ("satisfaction", "effort"))
    )
    context.update(
        form=form,
        done="done" in request.GET,
        editable_until=survey_editable_until(survey),
        autosubmit=autosubmit,
    )
    return render(request, "portal/survey.html", context)
