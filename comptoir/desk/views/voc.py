"""The voice-of-customer log on the desk (issue 12, item 5): a searchable, paged list and a form."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.common.exceptions import DomainError
from comptoir.customers.selectors import customer_search
from comptoir.surveys.selectors import voc_list
from comptoir.surveys.services import voc_create
from comptoir.worklists.selectors import customer_suggest

from .common import agent_required

_BY_ID = re.compile(r"^#?(\d{1,18})$")


def _customer_id(text: str) -> int | None:
    """What the autocomplete put in the box (an email, phone, account number or name; ``#id``)
    as one customer's id; None when it names none or several."""
    text = " ".join(text.split())
    if (match := _BY_ID.match(text)) is not None:
        return int(match.group(1))
    found = customer_search(q=text, limit=2) if len(text) >= 2 else []
    return found[0].pk if len(found) == 1 else None


class VocForm(forms.Form):
    customer = forms.CharField(
        label=gettext_lazy("Customer (phone, name, email or account number)"), max_length=200,
        widget=forms.TextInput(attrs={
            "list": "voc-customer-options", "autocomplete": "off", "data-testid": "voc-customer",
            "hx-get": reverse_lazy("desk:voc_customers"), "hx-trigger": "input changed delay:250ms",
            "hx-target": "#voc-customer-options", "hx-swap": "innerHTML", "hx-sync": "this:replace",
        }),
    )  # fmt: skip
    comment = forms.CharField(
        label=gettext_lazy("What the customer said"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    ticket = forms.CharField(
        label=gettext_lazy("Ticket reference (evidence, optional)"), max_length=20, required=False
    )
    message = forms.IntegerField(
        label=gettext_lazy("Message number on that ticket (optional)"), required=False, min_value=1
    )

    def clean_customer(self) -> int:
        customer_id = _customer_id(self.cleaned_data["customer"])
        if customer_id is None:
            raise forms.ValidationError(_("Choose one customer from the list."))
        return customer_id


@agent_required
def voc_log(request: HttpRequest) -> HttpResponse:
    """``/desk/voc/``: newest first, filtered by customer and words; the form writes an entry."""
    if request.method == "POST":
        form = VocForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                voc_create(
                    actor=request.user, customer_id=data["customer"], comment=data["comment"],  # type: ignore[arg-type]
                    ticket_reference=data["ticket"], message_id=data["message"],
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Entry added to the voice-of-customer log."))
                return redirect("desk:voc")
    else:
        form = VocForm(initial={"ticket": request.GET.get("ticket", "")})
    who, q = request.GET.get("customer", "")[:200], request.GET.get("q", "")[:200]
    customer_id = _customer_id(who) if who.strip() else None
    unknown = bool(who.strip()) and customer_id is None
    page, error = None, ""
    if not unknown:
        try:
            page = voc_list(
                actor=request.user, customer_id=customer_id, q=q, cursor=request.GET.get("cursor") or None,  # type: ignore[arg-type]
            )  # fmt: skip
        except DomainError as exc:  # a tampered cursor
            error = exc.message
    context = {
        "form": form, "page": page, "error": error, "who": who, "q": q, "unknown_customer": unknown,
        "qs": urlencode({"customer": who, "q": q}),
    }  # fmt: skip
    return render(request, "desk/voc.html", context)


@agent_required
def voc_customer_options(request: HttpRequest) -> HttpResponse:
    """``<option>``s for the log's customer boxes (both named ``customer``): the desk's customer
    autocomplete, reading that name."""
    customers = customer_suggest(actor=request.user, q=request.GET.get("customer", ""))  # type: ignore[arg-type]
    return render(request, "desk/_suggestions.html", {"customers": customers})
