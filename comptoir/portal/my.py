"""My requests: a customer signs in with a one-time link sent to their email, then sees, answers,
closes and opens their requests (issue 10, item 8).

A portal session is the session key ``PORTAL_CUSTOMER`` alone: it names a customer, never a user,
so it opens nothing in the desk (whose views ask for an authenticated agent). The session key and
the CSRF token are rotated when a customer signs in, and again when they sign out.

Visibility is the tickets selectors' (``ticket_visible_to_customer``): a reference that is not the
customer's answers the same 404 as one that does not exist. Every message a customer writes goes
through intake, as on the tracking page; closing goes through ``tickets.services``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.common.exceptions import DomainError
from comptoir.common.http import attachment_response
from comptoir.customers.models import Customer
from comptoir.customers.selectors import portal_customer, signin_link_usable
from comptoir.customers.services import SIGNIN_LINK_TTL, CustomerData, signin_link_redeem
from comptoir.intake.services import InboundMessage, receive
from comptoir.intake.signin import signin_request
from comptoir.knowledge.services import deflection_submitted, deflection_token_new
from comptoir.tickets import selectors as tickets
from comptoir.tickets.files import incoming_files
from comptoir.tickets.services import ticket_customer_close

from .forms import MyRequestForm, ReplyForm, SignInForm
from .views import TOO_MANY, _customer_words, _limited, _new_submission

PORTAL_CUSTOMER = "portal_customer_id"
PAGE_SIZE = 20


def signed_in_customer(request: HttpRequest) -> Customer | None:
    """The customer this browser signed in as, or None (also when the record is gone)."""
    customer_id = request.session.get(PORTAL_CUSTOMER)
    if not isinstance(customer_id, int):
        return None
    return portal_customer(customer_id=customer_id)


def customer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages for a signed-in customer; anyone else is sent to the sign-in form."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        customer = signed_in_customer(request)
        if customer is None:
            return redirect("portal:my_requests")
        return view(request, customer, *args, **kwargs)

    return wrapper


def _language() -> str:
    return (get_language() or "en")[:2]


@require_http_methods(["GET", "HEAD"])
def my_requests(request: HttpRequest) -> HttpResponse:
    """The customer's requests, newest first; the sign-in form for anyone not signed in."""
    customer = signed_in_customer(request)
    if customer is None:
        return render(request, "portal/my_signin.html", {"form": SignInForm()})
    try:
        page = tickets.customer_requests(customer=customer, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    context = {"customer": customer, "page": page, "first_page": not request.GET.get("cursor")}
    return render(request, "portal/my_requests.html", context)


@require_POST
def my_signin(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link. Known address or not, the answer is the same page."""
    form = SignInForm(request.POST)
    if _limited(request, "portal-signin"):
        return render(request, "portal/my_signin.html", {"form": form, "error": TOO_MANY}, status=429)
    if not form.is_valid():
        return render(request, "portal/my_signin.html", {"form": form}, status=400)
    signin_request(email=form.cleaned_data["email"], language=_language())
    return redirect("portal:my_signin_sent")


def my_signin_sent(request: HttpRequest) -> HttpResponse:
    minutes = int(SIGNIN_LINK_TTL.total_seconds() // 60)
    return render(request, "portal/my_signin_sent.html", {"minutes": minutes})


@require_http_methods(["GET", "HEAD", "POST"])
def my_continue(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email. Opening it asks for one click (a POST) to sign in, so that a mail
    scanner that fetches links does not spend it; the click spends it and starts the session."""
    if request.method == "POST":
        if _limited(request, "portal-signin-link"):
            return render(request, "429.html", status=429)
        customer = signin_link_redeem(token=token)
        if customer is None:
            return render(request, "portal/my_link_invalid.html", {"form": SignInForm()}, status=404)
        request.session.cycle_key()
        rotate_token(request)
        request.session[PORTAL_CUSTOMER] = customer.pk
        return redirect("portal:my_requests")
    if not signin_link_usable(token=token):
        return render(request, "portal/my_link_invalid.html", {"form": SignInForm()}, status=404)
    return render(request, "portal/my_continue.html", {"token": token})


@require_POST
def my_signout(request: HttpRequest) -> HttpResponse:
    request.session.pop(PORTAL_CUSTOMER, None)
    request.session.cycle_key()
    rotate_token(request)
    messages.success(request, _("You are signed out."))
    return redirect("portal:my_requests")


def _request_for(customer: Customer, reference: str, *, own_only: bool = False):  # type: ignore[no-untyped-def]
    try:
        return tickets.customer_request_get(customer=customer, reference=reference, own_only=own_only)
    except DomainError as exc:
        raise Http404(exc.message) from exc


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def my_request(request: HttpRequest, customer: Customer, reference: str) -> HttpResponse:
    """One request, rendered as the tracking page renders it; its owner may answer and close it."""
    ticket = _request_for(customer, reference)
    if ticket.merged_into_id is not None and request.method != "POST":
        # Merged: its conversation lives on in the survivor (the tracking link does the same).
        return redirect("portal:my_request", reference=tickets.ticket_survivor(ticket=ticket).reference)
    own = ticket.customer_id == customer.pk
    form = ReplyForm(initial={"submission_id": uuid.uuid4().hex})
    status = 200
    if request.method == "POST":
        if not own:
            raise Http404(_("No such request."))
        form = ReplyForm(request.POST, request.FILES)
        if _limited(request, "portal-reply"):
            status = 429
            form.add_error(None, TOO_MANY)
        elif form.is_valid():
            try:
                landed = _customer_words(
                    ticket, channel="web", text=form.cleaned_data["body"],
                    submission_id=form.cleaned_data["submission_id"],
                    files=incoming_files(request.FILES.getlist("attachment")),
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status_code
                _new_submission(form)
            else:
                messages.success(request, _("Your reply was added to your request."))
                return redirect("portal:my_request", reference=landed.reference)
        else:
            status = 400
    context = {
        "customer": customer,
        "ticket": ticket,
        "own": own,
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=True),
        "form": form,
    }
    return render(request, "portal/my_request.html", context, status=status)


@require_POST
@customer_required
def my_request_close(request: HttpRequest, customer: Customer, reference: str) -> HttpResponse:
    ticket = _request_for(customer, reference, own_only=True)
    try:
        ticket_customer_close(ticket_id=ticket.pk, customer=customer)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Your request %(reference)s is closed.") % {"reference": ticket.reference})
    return redirect("portal:my_request", reference=ticket.reference)


@customer_required
def my_attachment(
    request: HttpRequest, customer: Customer, reference: str, attachment_id: int
) -> FileResponse:
    ticket = _request_for(customer, reference)
    try:
        att = tickets.attachment_for_customer(
            customer=customer, ticket_id=ticket.pk, attachment_id=attachment_id
        )
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return attachment_response(att)


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def my_new(request: HttpRequest, customer: Customer) -> HttpResponse:
    """A new request from a signed-in customer: attached to their record, not re-identified from
    anything typed (there is nothing to type but the request)."""
    if request.method != "POST":
        initial = {"submission_id": uuid.uuid4().hex, "deflection": deflection_token_new()}
        form = MyRequestForm(initial=initial)
        return render(request, "portal/my_new.html", {"form": form, "customer": customer})
    form = MyRequestForm(request.POST, request.FILES)
    status = 400
    if _limited(request, "portal-request"):
        form.add_error(None, TOO_MANY)
        return render(request, "portal/my_new.html", {"form": form, "customer": customer}, status=429)
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = receive(
                InboundMessage(
                    channel="web", customer=CustomerData(), customer_id=customer.pk,
                    subject=d["subject"], text=d["description"],
                    attachments=incoming_files(request.FILES.getlist("attachment")),
                    external_id=f"my:{customer.pk}:{d['submission_id']}" if d["submission_id"] else None,
                    language=_language(),
                )
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status_code
            _new_submission(form)
        else:
            deflection_submitted(token=d["deflection"])  # issue 11: sent despite the suggestions
            messages.success(
                request, _("Your request %(reference)s was sent.") % {"reference": result.ticket.reference}
            )
            return redirect("portal:my_request", reference=result.ticket.reference)
    return render(request, "portal/my_new.html", {"form": form, "customer": customer}, status=status)
