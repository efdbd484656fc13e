"""Problems on the desk (issue 13, items 4 to 6): the list, a problem's page (edit, link,
publish the known error), the proposals from detection (accept, merge, dismiss, with why) and
the coaching suggestions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.common.exceptions import DomainError
from comptoir.incidents.models import CoachingSuggestion, Problem
from comptoir.incidents.problems import (
    coaching_articles,
    coaching_decide,
    coaching_list,
    problem_articles,
    problem_create,
    problem_get,
    problem_incidents,
    problem_link,
    problem_list,
    problem_publish,
    problem_tickets,
    problem_update,
    proposal_accept,
    proposal_dismiss,
    proposal_list,
    proposal_merge,
)

from .common import agent_required


class ProblemForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Problem.Status.choices, initial="open")
    root_cause = forms.CharField(
        label=gettext_lazy("Root cause"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    workaround_fr = forms.CharField(
        label=gettext_lazy("Workaround (French)"), required=False, max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "fr"}),
    )  # fmt: skip
    workaround_en = forms.CharField(
        label=gettext_lazy("Workaround (English)"), required=False, max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )  # fmt: skip
    known_error = forms.BooleanField(label=gettext_lazy("Known error"), required=False)


class LinkForm(forms.Form):
    references = forms.CharField(
        label=gettext_lazy("Ticket references (separated by spaces or commas)"),
        max_length=4000,
        required=False,
    )
    incidents = forms.CharField(label=gettext_lazy("Incident numbers"), max_length=1000, required=False)

    def clean_references(self) -> list[str]:
        return [r for r in self.cleaned_data["references"].replace(",", " ").split() if r]

    def clean_incidents(self) -> list[int]:
        raw = self.cleaned_data["incidents"].upper().replace("INC-", "").replace(",", " ").split()
        if not all(r.isdigit() for r in raw):
            raise forms.ValidationError(_("Give incident numbers, such as INC-12."))
        return [int(r) for r in raw]


def _problem_or_404(request: HttpRequest, problem_id: int) -> Problem:
    try:
        return problem_get(actor=request.user, problem_id=problem_id)  # type: ignore[arg-type]
    except DomainError as exc:
        raise Http404(exc.message) from exc


@agent_required
def problems(request: HttpRequest) -> HttpResponse:
    """``/desk/problems/``: problems, newest first, and how many proposals wait."""
    status = request.GET.get("status", "")
    status = status if status in Problem.Status.values else ""
    context = {
        "problems": problem_list(actor=request.user, status=status),  # type: ignore[arg-type]
        "status": status,
        "statuses": Problem.Status.choices,
        "pending": len(proposal_list(actor=request.user)),  # type: ignore[arg-type]
        "form": ProblemForm(),
    }
    return render(request, "desk/problems.html", context)


@agent_required
@require_POST
def problem_new(request: HttpRequest) -> HttpResponse:
    form = ProblemForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            problem = problem_create(
                actor=request.user, title=d["title"], root_cause=d["root_cause"],  # type: ignore[arg-type]
                workaround_fr=d["workaround_fr"], workaround_en=d["workaround_en"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Problem opened."))
            return redirect("desk:problem", problem_id=problem.pk)
    context = {"problems": [], "status": "", "statuses": Problem.Status.choices, "pending": 0, "form": form}
    return render(request, "desk/problems.html", context, status=400)


def _detail(request: HttpRequest, problem: Problem, **given: forms.Form) -> dict:
    context = {
        "problem": problem,
        "tickets": problem_tickets(problem=problem),
        "incidents": problem_incidents(problem=problem),
        "articles": problem_articles(problem=problem),
        "edit_form": ProblemForm(
            initial={
                "title": problem.title,
                "status": problem.status,
                "root_cause": problem.root_cause,
                "workaround_fr": problem.workaround_fr,
                "workaround_en": problem.workaround_en,
                "known_error": problem.known_error,
            }  # fmt: skip
        ),
        "link_form": LinkForm(),
    }
    context.update(given)
    return context


@agent_required
def problem_detail(request: HttpRequest, problem_id: int) -> HttpResponse:
    problem = _problem_or_404(request, problem_id)
    if request.method == "POST":
        form = ProblemForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                problem_update(actor=request.user, problem_id=problem.pk, **d)  # type: ignore[arg-type]
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Problem updated."))
                return redirect("desk:problem", problem_id=problem.pk)
        return render(request, "desk/problem.html", _detail(request, problem, edit_form=form), status=400)
    return render(request, "desk/problem.html", _detail(request, problem))


@agent_required
@require_POST
def problem_link_view(request: HttpRequest, problem_id: int) -> HttpResponse:
    problem = _problem_or_404(request, problem_id)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            outcome = problem_link(
                actor=request.user, problem_id=problem.pk, ticket_references=form.cleaned_data["references"],  # type: ignore[arg-type]
                incident_ids=form.cleaned_data["incidents"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if outcome.linked:
                messages.success(request, _("Linked: %(refs)s.") % {"refs": ", ".join(outcome.linked)})
            if outcome.not_found:
                messages.error(
                    request, _("No such ticket: %(refs)s.") % {"refs": ", ".join(outcome.not_found)}
                )
            return redirect("desk:problem", problem_id=problem.pk)
    return render(request, "desk/problem.html", _detail(request, problem, link_form=form), status=400)


@agent_required
@require_POST
def problem_publish_view(request: HttpRequest, problem_id: int) -> HttpResponse:
    """Publish the known error as public articles (French and English)."""
    problem = _problem_or_404(request, problem_id)
    try:
        problem_publish(actor=request.user, problem_id=problem.pk)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Known error published in the knowledge base."))
    return redirect("desk:problem", problem_id=problem.pk)


@agent_required
def proposals(request: HttpRequest) -> HttpResponse:
    """Clusters detection proposes, largest first, each with its tickets, shared terms and items."""
    context = {
        "proposals": proposal_list(actor=request.user),  # type: ignore[arg-type]
        "open_problems": problem_list(actor=request.user, status=""),  # type: ignore[arg-type]
    }
    return render(request, "desk/problem_proposals.html", context)


@agent_required
@require_POST
def proposal_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """``decision``: accept (a new problem), merge (into ``problem``) or dismiss (with ``reason``)."""
    decision = request.POST.get("decision", "")
    try:
        if decision == "accept":
            problem = proposal_accept(
                actor=request.user, proposal_id=proposal_id, title=request.POST.get("title", "")
            )  # type: ignore[arg-type]
            messages.success(request, _("Problem opened from the proposal."))
            return redirect("desk:problem", problem_id=problem.pk)
        if decision == "merge":
            target = request.POST.get("problem", "")
            problem = proposal_merge(
                actor=request.user,
                proposal_id=proposal_id,
                problem_id=int(target) if target.isdigit() else 0,  # type: ignore[arg-type]
            )
            messages.success(request, _("Tickets added to %(problem)s.") % {"problem": problem.reference})
        elif decision == "dismiss":
            proposal_dismiss(
                actor=request.user, proposal_id=proposal_id, reason=request.POST.get("reason", "")
            )  # type: ignore[arg-type]
            messages.success(request, _("Proposal dismissed; it will not come back unless it grows."))
        else:
            messages.error(request, _("Choose accept, merge or dismiss."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("desk:problem_proposals")


@agent_required
def coaching(request: HttpRequest) -> HttpResponse:
    """Customers who keep writing about the same thing, with the articles to send."""
    found = coaching_list(actor=request.user)  # type: ignore[arg-type]
    rows = [(s, coaching_articles(suggestion=s)) for s in found]
    return render(request, "desk/problem_coaching.html", {"rows": rows})


@agent_required
@require_POST
def coaching_decide_view(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    status = request.POST.get("status", "")
    try:
        suggestion = coaching_decide(actor=request.user, suggestion_id=suggestion_id, status=status)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("desk:problem_coaching")
    if status == CoachingSuggestion.Status.DONE:
        messages.success(request, _("Marked as done."))
    back = request.POST.get("next", "")
    if back == "customer":
        return redirect("desk:customer", customer_id=suggestion.customer_id)
    return redirect("desk:problem_coaching")
