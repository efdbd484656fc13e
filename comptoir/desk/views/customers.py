"""A customer's page: timeline across channels, consent, merging duplicates and undoing a merge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.common.exceptions import DomainError, NotFound
from comptoir.customers.selectors import customer_consents, customer_events, customer_get, customer_merges
from comptoir.customers.services import consent_set
from comptoir.intake.selectors import customer_merge_preview
from comptoir.intake.services import customer_merge, customer_unmerge
from comptoir.tickets import selectors as tickets

from ..forms import ConsentForm, MergeForm
from .common import agent_required


@agent_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        customer = customer_get(customer_id=customer_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    ticket_list, timeline = tickets.customer_timeline(customer_id=customer.pk)
    context = {
        "customer": customer,
        "open_tickets": [t for t in ticket_list if t.is_open],
        "closed_tickets": [t for t in ticket_list if not t.is_open],
        "timeline": timeline,
        "events": customer_events(customer_id=customer.pk),
        "consents": customer_consents(customer_id=customer.pk),
        "merge_form": MergeForm(),
        "merges": customer_merges(customer_id=customer.pk),
        "consent_form": ConsentForm(),
    }
    return render(request, "desk/customer.html", context)


@agent_required
def customer_merge_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Both records side by side (GET, or a POST without ``confirm``), then the merge itself."""
    if not request.user.may_merge_customers:
        raise PermissionDenied
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, _("Give the number of the customer to merge into."))
        return redirect("desk:customer", customer_id=customer_id)
    other = form.cleaned_data["other"]
    try:
        if request.method == "POST" and form.cleaned_data["confirm"]:
            customer_merge(source_id=customer_id, target_id=other, actor=request.user)
            messages.success(request, _("Customers merged."))
            return redirect("desk:customer", customer_id=other)
        source, target = customer_merge_preview(source_id=customer_id, target_id=other)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("desk:customer", customer_id=customer_id)
    confirm = MergeForm(initial={"other": other, "confirm": True})
    return render(request, "desk/customer_merge.html", {"source": source, "target": target, "form": confirm})


@agent_required
@require_POST
def customer_unmerge_view(request: HttpRequest, customer_id: int, merge_id: int) -> HttpResponse:
    """Undo a merge from either record's page; back to that page."""
    if not request.user.may_merge_customers:
        raise PermissionDenied
    try:
        customer_unmerge(merge_id=merge_id, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Merge undone."))
    return redirect("desk:customer", customer_id=customer_id)


@agent_required
@require_POST
def customer_consent_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            customer = customer_get(customer_id=customer_id)
        except DomainError as exc:
            raise Http404(exc.message) from exc
        consent_set(
            customer=customer, channel=form.cleaned_data["channel"], granted=form.cleaned_data["granted"],
            source=_("recorded by an agent"), actor_label=request.user.email,
        )  # fmt: skip
        messages.success(request, _("Consent recorded."))
    return redirect("desk:customer", customer_id=customer_id)
