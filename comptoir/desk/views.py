"""Agent pages. Thin: parse the form, call one service or selector, render."""

from __future__ import annotations

import contextlib
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.accounts.selectors import agent_team_ids
from comptoir.accounts.throttle import LOGIN_THROTTLED_MESSAGE, login_was_throttled
from comptoir.assignment import services as assignment
from comptoir.channels.email.ingest import email_replay
from comptoir.channels.phone import call_log
from comptoir.common.exceptions import DomainError, InvalidInput, NotFound
from comptoir.common.ids import parse_row_id
from comptoir.customers.selectors import (
    customer_consents,
    customer_events,
    customer_get,
    customer_merges,
    customer_search,
)
from comptoir.customers.services import CustomerData, consent_set, customer_create
from comptoir.intake.selectors import (
    RECEIVED_STALE_AFTER,
    customer_merge_preview,
    inbound_failed,
    inbound_status_counts,
    inbound_waiting,
)
from comptoir.intake.services import customer_merge, customer_unmerge
from comptoir.outbox.selectors import outbox_backlog, outbox_page
from comptoir.portal.forms import incoming_files
from comptoir.portal.views import attachment_response
from comptoir.routing.selectors import (
    team_default,
    team_escalation_target,
    team_get,
    team_level_2_list,
    team_list,
)
from comptoir.tickets import selectors as tickets
from comptoir.tickets.services import message_review, reply_release, ticket_agent_message
from comptoir.tickets.sla import sla_state
from comptoir.triage.selectors import triage_for, triage_queue
from comptoir.triage.services import category_team_set, ticket_update

from .forms import CallForm, ConsentForm, LoginForm, MergeForm, MessageForm, UpdateForm


def agent_required(view):  # type: ignore[no-untyped-def]
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not (request.user.is_agent or request.user.is_superuser):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class LoginView(auth_views.LoginView):
    """Login behind the throttle every login path shares (``accounts.throttle``): 429 when refused."""

    template_name = "desk/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        if not login_was_throttled(self.request):
            return super().form_invalid(form)
        form.errors.clear()
        context = self.get_context_data(form=form)
        context["throttled"] = LOGIN_THROTTLED_MESSAGE
        return render(self.request, self.template_name, context, status=429)


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
    if request.htmx:  # the next rows only
        return render(request, "desk/queue.html#rows", {"page": page, "scope": scope})
    # First page: what waits for this agent's decision, above the queue (issue 8).
    waiting = tickets.waiting_for(actor=request.user) if not request.GET.get("cursor") else None
    return render(request, "desk/queue.html", {"page": page, "scope": scope, "waiting": waiting})


def _ticket_context(request: HttpRequest, ticket, **extra):  # type: ignore[no-untyped-def]
    return {
        "ticket": ticket,
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=False),
        "history": tickets.ticket_history(ticket=ticket),
        "other_tickets": tickets.customer_tickets(customer_id=ticket.customer_id, exclude_id=ticket.pk),
        "identities": list(ticket.customer.identities.all()),
        "triage": triage_for(ticket_id=ticket.pk),
        "sla": sla_state(ticket),
        "may_pick": request.user.may_pick,
        "escalation_teams": list(team_level_2_list()) if ticket.level == 1 else [],
        "escalation_default": team_escalation_target(team=ticket.team) if ticket.level == 1 else None,
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
            message = ticket_agent_message(
                ticket=ticket, actor=request.user, body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
                configuration_items=form.cleaned_data["configuration_items"],
                files=incoming_files(request.FILES.getlist("attachment")),
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if message.held_for_id is not None:  # a junior's reply: nothing is sent yet
                messages.info(
                    request,
                    _("Reply saved; it is sent once %(senior)s approves it.") % {"senior": message.held_for},
                )
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


def _chosen_team(value: str):  # type: ignore[no-untyped-def]
    """A team chosen in a form's select, by id; empty means none chosen."""
    if not value:
        return None
    team_id = parse_row_id(value)
    team = team_get(team_id=team_id) if team_id is not None else None
    if team is None:
        raise InvalidInput(_("Unknown team."), field="team")
    return team


@agent_required
@require_POST
def ticket_escalate(request: HttpRequest, reference: str) -> HttpResponse:
    data = request.POST
    return _act(
        request, reference,
        lambda t: assignment.ticket_escalate(
            actor=request.user, ticket_id=t.pk, reason=data.get("reason", ""),
            summary=data.get("summary", ""), to_supervisor=bool(data.get("to_supervisor")),
            team=_chosen_team(data.get("team", "")),
        ),
        _("Ticket escalated."),
    )  # fmt: skip


@agent_required
@require_POST
def ticket_deescalate(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.may_deescalate:
        raise PermissionDenied  # 403, nothing recorded; the service enforces the same rule
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
@require_POST
def message_review_view(request: HttpRequest, reference: str, message_id: int) -> HttpResponse:
    """Accept (publish as the customer's) or reject a message held because its sender is unproven."""
    accept = request.POST.get("decision") == "accept"
    return _act(
        request, reference,
        lambda t: message_review(actor=request.user, ticket_id=t.pk, message_id=message_id, accept=accept),
        _("Message accepted as the customer's.") if accept else _("Message rejected."),
    )  # fmt: skip


@agent_required
def triage(request: HttpRequest) -> HttpResponse:
    return render(request, "desk/triage.html", {"tickets": triage_queue(limit=100)})


@agent_required
def categories(request: HttpRequest) -> HttpResponse:
    """Which team receives each category's tickets: supervisors and administrators set it."""
    if not request.user.supervises:
        raise PermissionDenied
    if request.method == "POST":
        category, team = request.POST.get("category", ""), request.POST.get("team", "")
        try:
            category_team_set(
                actor=request.user,
                category_id=parse_row_id(category) or 0,
                team=_chosen_team(team) if team else None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Category routing saved."))
        return redirect("desk:categories")
    context = {"categories": tickets.category_list(), "teams": list(team_list()), "default": team_default()}
    return render(request, "desk/categories.html", context)


@agent_required
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    try:
        att = tickets.attachment_for_agent(actor=request.user, attachment_id=attachment_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return attachment_response(att)


@agent_required
def outbox(request: HttpRequest) -> HttpResponse:
    """Supervisors only: outgoing messages carry customers' links (masked here all the same)."""
    if not request.user.supervises:
        raise PermissionDenied
    return render(request, "desk/outbox.html", {**outbox_page(), "backlog": outbox_backlog()})


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
    ticket = _get(request, data["ticket"].strip()) if data["ticket"].strip() else None
    return call_log(
        actor=request.user, customer_id=customer_id, ticket=ticket, subject=data["subject"],
        summary=data["summary"], send_link=data["send_link"] or None,
    )  # fmt: skip


@agent_required
def inbound_failures(request: HttpRequest) -> HttpResponse:
    """Kept failures and records waiting too long, with replay; an unknown record is a 404."""
    if request.method == "POST":
        record_id = parse_row_id(request.POST.get("record"))
        try:
            outcome = email_replay(record_id=record_id or 0)
        except NotFound:  # not a number, or no such email
            raise Http404 from None
        if outcome.result is not None:
            messages.success(
                request, _("Replayed into %(reference)s.") % {"reference": outcome.result.ticket.reference}
            )
        else:
            messages.error(request, _("Still failing: %(reason)s") % {"reason": outcome.error})
        return redirect("desk:inbound")
    context = {
        "records": inbound_failed(),
        "waiting": inbound_waiting(),
        "counts": inbound_status_counts(),
        "stale_minutes": int(RECEIVED_STALE_AFTER.total_seconds() // 60),
    }
    return render(request, "desk/inbound.html", context)
