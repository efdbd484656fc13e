"""Major incidents on the desk (issue 13): the list, declaring one (from scratch or from a
ticket), and its page: linked tickets, suggestions linked in one click, updates in French and
English with their broadcast's progress, and the resolution with its cascade."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from comptoir.common.exceptions import DomainError
from comptoir.incidents.broadcast import broadcast_progress
from comptoir.incidents.models import Incident
from comptoir.incidents.selectors import (
    incident_get,
    incident_links,
    incident_list,
    incident_suggested_tickets,
    incident_updates,
    service_list,
)
from comptoir.incidents.services import (
    customer_coverage_set,
    incident_declare,
    incident_link_tickets,
    incident_publish_update,
    incident_update,
)

from .common import agent_required

OPEN_STATUSES = [(s.value, s.label) for s in Incident.Status if s != Incident.Status.RESOLVED]
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IncidentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    service = forms.ChoiceField(label=gettext_lazy("Affected service"), required=False)
    area = forms.CharField(
        label=gettext_lazy("Affected area (postal-code prefix or district)"), max_length=100, required=False
    )
    impact = forms.ChoiceField(label=gettext_lazy("Impact"), choices=Incident.Impact.choices, initial="major")
    status = forms.ChoiceField(label=pgettext_lazy("incident", "Status"), choices=OPEN_STATUSES)
    workaround_fr = forms.CharField(
        label=gettext_lazy("Workaround (French)"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "fr"}),
    )  # fmt: skip
    workaround_en = forms.CharField(
        label=gettext_lazy("Workaround (English)"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )  # fmt: skip
    next_update_at = forms.DateTimeField(
        label=gettext_lazy("Next update at"), required=False, widget=DATETIME_WIDGET
    )
    ticket = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—"), *((s.slug, str(s)) for s in service_list())]


class LinkForm(forms.Form):
    references = forms.CharField(
        label=gettext_lazy("Ticket references (separated by spaces or commas)"), max_length=4000
    )
    how = forms.ChoiceField(choices=[("manual", "manual"), ("suggested", "suggested")], required=False)

    def clean_references(self) -> list[str]:
        return [r for r in self.cleaned_data["references"].replace(",", " ").split() if r]


class UpdateForm(forms.Form):
    body_fr = forms.CharField(
        label=gettext_lazy("Update (French)"), max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "fr"}),
    )  # fmt: skip
    body_en = forms.CharField(
        label=gettext_lazy("Update (English)"), max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=gettext_lazy("Status after this update"), choices=[("", "—"), *OPEN_STATUSES], required=False
    )
    resolve = forms.BooleanField(
        label=gettext_lazy("This is the final update: resolve the incident"), required=False
    )
    resolve_tickets = forms.BooleanField(
        label=gettext_lazy("Also resolve the linked tickets, each with this update as the reply"),
        required=False,
    )


def _incident_or_404(request: HttpRequest, incident_id: int) -> Incident:
    try:
        return incident_get(actor=request.user, incident_id=incident_id)  # type: ignore[arg-type]
    except DomainError as exc:
        raise Http404(exc.message) from exc


@agent_required
def incidents(request: HttpRequest) -> HttpResponse:
    """``/desk/incidents/``: open incidents (or resolved, or all), newest first."""
    state = request.GET.get("state", "open")
    state = state if state in ("open", "resolved", "all") else "open"
    found = incident_list(actor=request.user, state=state)  # type: ignore[arg-type]
    return render(request, "desk/incidents.html", {"incidents": found, "state": state})


@agent_required
def incident_new(request: HttpRequest) -> HttpResponse:
    """Declare an incident; ``?ticket=<reference>`` declares it from that ticket (linked)."""
    if request.method == "POST":
        form = IncidentForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                incident = incident_declare(
                    actor=request.user, title=d["title"], service_slug=d["service"] or None,  # type: ignore[arg-type]
                    area=d["area"], impact=d["impact"], status=d["status"], workaround_fr=d["workaround_fr"],
                    workaround_en=d["workaround_en"], next_update_at=d["next_update_at"],
                    ticket_reference=d["ticket"],
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Incident declared."))
                return redirect("desk:incident", incident_id=incident.pk)
        status = 400
    else:
        ticket = request.GET.get("ticket", "")[:20]
        form = IncidentForm(initial={"ticket": ticket, "impact": "major"})
        status = 200
    return render(request, "desk/incident_new.html", {"form": form}, status=status)


def _detail(request: HttpRequest, incident: Incident, **forms_given: forms.Form) -> dict:
    updates = incident_updates(incident=incident)
    context = {
        "incident": incident,
        "links": incident_links(incident=incident),
        "updates": [(u, broadcast_progress(update=u)) for u in updates],
        "suggestions": incident_suggested_tickets(actor=request.user, incident=incident)  # type: ignore[arg-type]
        if incident.is_open
        else [],
        "edit_form": IncidentForm(
            initial={
                "title": incident.title,
                "service": incident.service.slug if incident.service else "",
                "area": incident.area,
                "impact": incident.impact,
                "status": incident.status,
                "workaround_fr": incident.workaround_fr,
                "workaround_en": incident.workaround_en,
                "next_update_at": incident.next_update_at,
            }  # fmt: skip
        ),
        "link_form": LinkForm(),
        "update_form": UpdateForm(),
    }
    context.update(forms_given)
    return context


@agent_required
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(request, incident_id)
    return render(request, "desk/incident.html", _detail(request, incident))


@agent_required
@require_POST
def incident_edit(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(request, incident_id)
    form = IncidentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            incident_update(
                actor=request.user, incident_id=incident.pk, title=d["title"],  # type: ignore[arg-type]
                service_slug=d["service"] or None, area=d["area"], impact=d["impact"], status=d["status"],
                workaround_fr=d["workaround_fr"], workaround_en=d["workaround_en"],
                next_update_at=d["next_update_at"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Incident updated."))
            return redirect("desk:incident", incident_id=incident.pk)
    return render(request, "desk/incident.html", _detail(request, incident, edit_form=form), status=400)


@agent_required
@require_POST
def incident_link(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(request, incident_id)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            outcome = incident_link_tickets(
                actor=request.user, incident_id=incident.pk, references=form.cleaned_data["references"],  # type: ignore[arg-type]
                how=form.cleaned_data["how"] or "manual",
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if outcome.linked:
                messages.success(request, _("Linked: %(refs)s.") % {"refs": ", ".join(outcome.linked)})
            if outcome.already:
                messages.info(request, _("Already linked: %(refs)s.") % {"refs": ", ".join(outcome.already)})
            if outcome.not_found:
                messages.error(
                    request, _("No such ticket: %(refs)s.") % {"refs": ", ".join(outcome.not_found)}
                )
            return redirect("desk:incident", incident_id=incident.pk)
    return render(request, "desk/incident.html", _detail(request, incident, link_form=form), status=400)


@agent_required
@require_POST
def incident_publish(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Publish an update (and its broadcast); the final one resolves, with the cascade if asked."""
    incident = _incident_or_404(request, incident_id)
    form = UpdateForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            outcome = incident_publish_update(
                actor=request.user, incident_id=incident.pk, body_fr=d["body_fr"], body_en=d["body_en"],  # type: ignore[arg-type]
                status=d["status"], resolve=d["resolve"], resolve_tickets=d["resolve_tickets"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Update published; it is being sent to the affected customers."))
            if outcome.resolved:
                messages.success(
                    request, _("Tickets resolved: %(refs)s.") % {"refs": ", ".join(outcome.resolved)}
                )
            for ref, why in outcome.refused:
                messages.error(request, _("%(ref)s was not resolved: %(why)s") % {"ref": ref, "why": why})
            return redirect("desk:incident", incident_id=incident.pk)
    return render(request, "desk/incident.html", _detail(request, incident, update_form=form), status=400)


@agent_required
@require_POST
def customer_coverage(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer page's "Area and services" form: who an incident's broadcast reaches."""
    try:
        customer_coverage_set(
            actor=request.user, customer_id=customer_id, area=request.POST.get("area", ""),
            service_slugs=request.POST.getlist("services"),
        )  # fmt: skip
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Area and services saved."))
    return redirect("desk:customer", customer_id=customer_id)
