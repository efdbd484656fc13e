"""Agent pages. Thin: parse the form, call one service or selector, render."""

from __future__ import annotations

import contextlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from comptoir.accounts.selectors import agent_team_ids
from comptoir.assignment import services as assignment
from comptoir.channels.email.ingest import email_replay
from comptoir.channels.phone import call_log
from comptoir.common.exceptions import DomainError
from comptoir.common.net import ratelimit_key
from comptoir.customers.selectors import customer_consents, customer_events, customer_get, customer_search
from comptoir.customers.services import CustomerData, consent_set, customer_create
from comptoir.intake.selectors import inbound_counts, inbound_failed
from comptoir.intake.services import customer_merge
from comptoir.outbox.selectors import captured_email_list, captured_sms_list, delivery_list
from comptoir.portal.forms import incoming_files
from comptoir.portal.views import attachment_response
from comptoir.tickets import selectors as tickets
from comptoir.tickets.services import reply_release, ticket_agent_message
from comptoir.triage.selectors import triage_for, triage_queue
from comptoir.triage.services import ticket_update

from .forms import CallForm, ConsentForm, LoginForm, MergeForm, MessageForm, UpdateForm


def agent_required(view):  # type: ignore[no-untyped-def]
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not (request.user.is_agent or request.user.is_superuser):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def login_name_key(group: str, request: HttpRequest) -> str:
    """The account being tried, spelled as login matches it (case and spaces do not count)."""
    return request.POST.get("username", "").strip().lower()


class LoginView(auth_views.LoginView):
    """Login throttled per client address and per account name, same answer either way."""

    template_name = "desk/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        rate = settings.COMPTOIR_LOGIN_RATE
        by_ip = is_ratelimited(request, group="login-ip", key=ratelimit_key, rate=rate, increment=True)
        by_user = is_ratelimited(request, group="login-user", key=login_name_key, rate=rate, increment=True)
        if by_ip or by_user:
            form = self.get_form()
            form.errors.clear()
            context = self.get_context_data(form=form)
            context["throttled"] = _("Too many login attempts. Please wait a minute and try again.")
            return render(request, self.template_name, context, status=429)
        return super().post(request, *args, **kwargs)


# The most urgent 25 first, then "More tickets" (htmx): a page an agent reads at a glance, and
# half the rendering of 50 rows, which dominates the page's time once the query is indexed.
QUEUE_PAGE_SIZE = 25


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "team")
    team_ids = None if scope == "all" else agent_team_ids(user=request.user)
    try:
        page = tickets.ticket_queue(
            actor=request.user,
            team_ids=team_ids,
            cursor=request.GET.get("cursor") or None,
            limit=QUEUE_PAGE_SIZE,
        )
    except DomainError as exc:  # a tampered cursor: say so, do not guess a page
        return render(request, "desk/queue.html", {"error": exc.message, "scope": scope}, status=400)
    template = "desk/queue.html#rows" if request.htmx else "desk/queue.html"
    return render(request, template, {"page": page, "scope": scope})


def _ticket_context(request: HttpRequest, ticket, **extra):  # type: ignore[no-untyped-def]
    return {
        "ticket": ticket,
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=False),
        "history": tickets.ticket_history(ticket=ticket),
        "other_tickets": tickets.customer_tickets(customer_id=ticket.customer_id, exclude_id=ticket.pk),
        "identities": list(ticket.customer.identities.all()),
        "triage": triage_for(ticket_id=ticket.pk),
        "may_pick": request.user.may_pick,
        "message_form": extra.pop("message_form", None) or MessageForm(),
        "update_form": extra.pop("update_form", None)
        or UpdateForm(
            initial={
                "version": ticket.version,
                "status": ticket.status,
                "priority": ticket.priority,
                "team": ticket.team_id,
                "assignee": ticket.assignee_id,
                "category": ticket.category.slug if ticket.category_id else "",
            }
        ),  # fmt: skip
        **extra,
    }


def _get(request: HttpRequest, reference: str):  # type: ignore[no-untyped-def]
    try:
        return tickets.ticket_get(actor=request.user, reference=reference)
    except DomainError as exc:
        raise Http404(exc.message) from exc


@agent_required
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _get(request, reference)
    return render(request, "desk/ticket.html", _ticket_context(request, ticket))


@agent_required
@require_POST
def ticket_message(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _get(request, reference)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            ticket_agent_message(
                ticket=ticket, actor=request.user, body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
                configuration_items=form.cleaned_data["configuration_items"],
                files=incoming_files(request.FILES.getlist("attachment")),
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            note = form.cleaned_data["internal"]
            messages.success(request, _("Internal note added.") if note else _("Reply sent."))
            return redirect("desk:ticket", reference=reference)
    ctx = _ticket_context(request, ticket, message_form=form)
    return render(request, "desk/ticket.html", ctx, status=400)


@agent_required
@require_POST
def ticket_change(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _get(request, reference)
    form = UpdateForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            ticket_update(
                ticket_id=ticket.pk, actor=request.user, version=d["version"],
                status=d["status"], priority=d["priority"], team=d["team"],
                assignee=d["assignee"],
                category=tickets.category_get(slug=d["category"]) if d["category"] else None,
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, _("Ticket updated."))
            return redirect("desk:ticket", reference=reference)
    ticket = _get(request, reference)
    return render(
        request,
        "desk/ticket.html",
        _ticket_context(request, ticket, update_form=form, conflict=status == 409),
        status=status,
    )  # noqa: E501


def _act(request: HttpRequest, reference: str, action, done: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    """Run one assignment action on a ticket; its refusal is shown on the ticket page."""
    ticket = _get(request, reference)
    try:
        action(ticket)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("desk:ticket", reference=reference)


@agent_required
@require_POST
def next_ticket(request: HttpRequest) -> HttpResponse:
    try:
        ticket = assignment.ticket_next(agent=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("desk:queue")
    if ticket is None:
        messages.info(request, _("No ticket is waiting for you right now."))
        return redirect("desk:queue")
    return redirect("desk:ticket", reference=ticket.reference)


@agent_required
@require_POST
def ticket_pick(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, lambda t: assignment.ticket_pick(agent=request.user, ticket_id=t.pk),
        _("The ticket is yours."),
    )  # fmt: skip


@agent_required
@require_POST
def ticket_skip(request: HttpRequest, reference: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request, reference,
        lambda t: assignment.ticket_skip(agent=request.user, ticket_id=t.pk, reason=reason),
        _("Ticket handed back."),
    )  # fmt: skip


@agent_required
@require_POST
def ticket_escalate(request: HttpRequest, reference: str) -> HttpResponse:
    data = request.POST
    return _act(
        request, reference,
        lambda t: assignment.ticket_escalate(
            actor=request.user, ticket_id=t.pk, reason=data.get("reason", ""),
            summary=data.get("summary", ""), to_supervisor=bool(data.get("to_supervisor")),
        ),
        _("Ticket escalated."),
    )  # fmt: skip


@agent_required
@require_POST
def ticket_deescalate(request: HttpRequest, reference: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request, reference,
        lambda t: assignment.ticket_deescalate(actor=request.user, ticket_id=t.pk, reason=reason),
        _("Ticket sent back to level 1."),
    )  # fmt: skip


@agent_required
@require_POST
def message_approve(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    return _act(
        request, reference,
        lambda t: reply_release(actor=request.user, ticket_id=t.pk, message_id=message_id),
        _("Reply approved and sent."),
    )  # fmt: skip


@agent_required
def triage(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/triage.html", {"tickets": triage_queue(limit=100)})


@agent_required
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    try:
        att = tickets.attachment_for_agent(actor=request.user, attachment_id=attachment_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return attachment_response(att)


@agent_required
def outbox(request: HttpRequest) -> HttpResponse:
    context = {"deliveries": delivery_list(), "captured": captured_email_list(), "sms": captured_sms_list()}
    return render(request, "desk/outbox.html", context)


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
        "consent_form": ConsentForm(),
    }
    return render(request, "desk/customer.html", context)


@agent_required
@require_POST
def customer_merge_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            customer_merge(
                source_id=customer_id, target_id=form.cleaned_data["other"], actor_label=request.user.email
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("desk:customer", customer_id=customer_id)
        messages.success(request, _("Customers merged."))
        return redirect("desk:customer", customer_id=form.cleaned_data["other"])
    messages.error(request, _("Give the number of the customer to merge into."))
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
        if request.GET.get("customer", "").isdigit():
            initial["customer"] = int(request.GET["customer"])
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
    ticket = _get(request, data["ticket"].strip()) if data["ticket"].strip() else None
    return call_log(
        actor=request.user, customer_id=customer_id, ticket=ticket, subject=data["subject"],
        summary=data["summary"], send_link=data["send_link"] or None,
    )  # fmt: skip


@agent_required
def inbound_failures(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("record", "").isdigit():
        outcome = email_replay(record_id=int(request.POST["record"]))
        if outcome.result is not None:
            messages.success(
                request, _("Replayed into %(reference)s.") % {"reference": outcome.result.ticket.reference}
            )
        else:
            messages.error(request, _("Still failing: %(reason)s") % {"reason": outcome.error})
        return redirect("desk:inbound")
    return render(request, "desk/inbound.html", {"records": inbound_failed(), "counts": inbound_counts()})
