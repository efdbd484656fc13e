"""My quality (issue 12, item 8): a key-account customer's own figures in "My requests", and
their choice of the monthly report by email. Anyone else signed in gets a 404 (and no link)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptoir.common.exceptions import DomainError
from comptoir.customers.models import Customer
from comptoir.insights.key_accounts import (
    customer_quality_recent,
    quality_report_subscribe,
    quality_report_subscribed,
)

from .my import customer_required


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def my_quality(request: HttpRequest, customer: Customer) -> HttpResponse:
    if not customer.is_key_account:
        raise Http404(_("No such page."))
    if request.method == "POST":
        wanted = request.POST.get("report") == "on"
        try:
            quality_report_subscribe(customer=customer, active=wanted)
        except DomainError as exc:
            raise Http404(exc.message) from exc
        if wanted:
            messages.success(request, _("You will receive this report by email each month."))
        else:
            messages.success(request, _("You will no longer receive this report by email."))
        return redirect("portal:my_quality")
    context = {
        "customer": customer,
        "quality": customer_quality_recent(customer=customer),
        "subscribed": quality_report_subscribed(customer=customer),
    }
    return render(request, "portal/my_quality.html", context)
