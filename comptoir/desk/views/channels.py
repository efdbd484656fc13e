"""Calls logged by agents (the phone channel)."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.channels.phone import call_log
from comptoir.common.exceptions import DomainError
from comptoir.common.ids import parse_row_id
from comptoir.customers.selectors import customer_get, customer_search
from comptoir.customers.services import CustomerData, customer_create

from ..forms import CallForm
from .common import agent_required, ticket_or_404


@agent_required
def call_new(request: HttpRequest) -> HttpResponse:
    """Log a call: find the customer (phone, name, email, account) or create one, then write."""
    q = request.GET.get("q", "").strip()
    found = customer_search(q=q) if q else []
    chosen = None
    if request.method == "POST":
        form = CallForm(request.POST)
        if form.is_valid():
            try:
                result = _log_call(request, form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
                form.renew_submission()
            else:
                messages.success(
                    request, _("Call logged on %(reference)s.") % {"reference": result.ticket.reference}
                )
                if form.cleaned_data["send_link"] and not result.link_sent:
                    messages.warning(
                        request,
                        _("The tracking link was not sent: no address, or no consent, for that channel."),
                    )
                return redirect("desk:ticket", reference=result.ticket.reference)
        status = 400
    else:
        initial = {}
        if (customer_id := parse_row_id(request.GET.get("customer"))) is not None:
            initial["customer"] = customer_id
            with contextlib.suppress(DomainError):
                chosen = customer_get(customer_id=initial["customer"])
        form = CallForm(initial=initial)
        status = 200
    context = {"form": form, "q": q, "found": found, "chosen": chosen}
    return render(request, "desk/call.html", context, status=status)


def _log_call(request: HttpRequest, data: dict):  # type: ignore[no-untyped-def]
    customer_id = data["customer"]
    if not customer_id:
        customer_id = customer_create(
            data=CustomerData(
                name=data["name"], email=data["email"] or None, phone=data["phone"] or None,
                account=data["account"] or None, language=(request.LANGUAGE_CODE or "en")[:2],
            )
        ).pk  # fmt: skip
    ticket = ticket_or_404(request, data["ticket"].strip()) if data["ticket"].strip() else None
    return call_log(
        actor=request.user, customer_id=customer_id, ticket=ticket, subject=data["subject"],
        summary=data["summary"], send_link=data["send_link"] or None,
        submission_id=data["submission_id"] or None,
    )  # fmt: skip
