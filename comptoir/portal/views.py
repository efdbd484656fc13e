"""Customer pages: the request form, the tracking page and the chat box.

A tracking token is the only key to a ticket. What a visitor types (an email address, a phone
number) proves nothing: it never opens an existing conversation. The chat box continues a
conversation only for the browser that started it (a signed, HttpOnly cookie).

Every form carries a hidden submission id, so a double submit or a retry after a dropped
connection lands once (intake's idempotency key); a refused submission gets a new id, so the
corrected one is not mistaken for a replay.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from comptoir.common.exceptions import DomainError
from comptoir.common.http import attachment_response
from comptoir.common.net import ratelimit_key
from comptoir.customers.services import CustomerData
from comptoir.incidents.selectors import incidents_public_for_ticket
from comptoir.intake.services import InboundMessage, receive
from comptoir.knowledge.services import deflection_submitted, deflection_token_new
from comptoir.tickets import selectors as tickets
from comptoir.tickets.files import incoming_files
from comptoir.tickets.models import Ticket
from comptoir.tickets.tracking import make_token, parse_token

from .forms import ChatMessageForm, ChatStartForm, ReplyForm, RequestForm

TOO_MANY = gettext_lazy("Too many requests from your address. Please wait a minute and try again.")
PLAIN = "text/plain; charset=utf-8"  # an error the chat box shows as it is (portal chat.js)
CHAT_COOKIE = "comptoir_chat"
CHAT_COOKIE_SALT = "comptoir.portal.chat"
CHAT_COOKIE_AGE = 7 * 24 * 60 * 60  # as long as an open chat is continued (tickets.selectors)


def _limited(request: HttpRequest, group: str) -> bool:
    return is_ratelimited(
        request, group=group, key=ratelimit_key, rate=settings.COMPTOIR_PORTAL_RATE,
        method="POST", increment=True,
    )  # fmt: skip


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["error"] = TOO_MANY
    return render(request, template, context, status=429)


@require_http_methods(["GET", "HEAD", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        form = RequestForm(initial={"submission_id": uuid.uuid4().hex, "deflection": deflection_token_new()})
        return render(request, "portal/request_form.html", {"form": form})
    form = RequestForm(request.POST, request.FILES)
    status = 400
    if _limited(request, "portal-request"):
        return _too_many(request, "portal/request_form.html", {"form": form})
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = receive(
                InboundMessage(
                    channel="web",
                    customer=CustomerData(
                        name=d["name"], email=d["email"] or None, phone=d["phone"] or None,
                        language=(get_language() or "en")[:2],
                    ),
                    subject=d["subject"],
                    text=d["description"],
                    attachments=incoming_files(request.FILES.getlist("attachment")),
                    external_id=f"form:{d['submission_id']}" if d["submission_id"] else None,
                    language=(get_language() or "en")[:2],
                    unproven_identity=True,
                )
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status_code
            _new_submission(form)
        else:
            deflection_submitted(token=d["deflection"])  # issue 11: sent despite the suggestions
            token = make_token(result.ticket.tracking_uid)
            return redirect("portal:submitted", token=token)
    return render(request, "portal/request_form.html", {"form": form}, status=status)


def _new_submission(form) -> None:  # type: ignore[no-untyped-def]
    """A refused submission is finished: the corrected one must be a new one, not a replay."""
    form.data = form.data.copy()
    form.data["submission_id"] = uuid.uuid4().hex


def _customer_words(ticket: Ticket, *, channel: str, text: str, submission_id: str, files=()) -> Ticket:  # type: ignore[no-untyped-def]
    """A reply by the token's holder, through intake: the same submission twice lands once.

    Returns the ticket it landed on: this one, or a new one linked to it when this one is closed.
    """
    result = receive(
        InboundMessage(
            channel=channel, customer=CustomerData(), customer_id=ticket.customer_id,
            thread_ticket_id=ticket.pk, subject=ticket.subject, text=text, attachments=files,
            external_id=f"reply:{ticket.pk}:{submission_id}" if submission_id else None,
            language=ticket.language,
        )
    )  # fmt: skip
    return result.ticket


def _ticket_for(token: str):  # type: ignore[no-untyped-def]
    uid = parse_token(token)
    if uid is None:
        raise Http404(_("No such request."))
    try:
        return uid, tickets.ticket_for_tracking(uid=uid)
    except DomainError as exc:
        raise Http404(exc.message) from exc


def request_submitted(request: HttpRequest, token: str) -> HttpResponse:
    _uid, ticket = _ticket_for(token)
    return render(request, "portal/submitted.html", {"ticket": ticket, "token": token})


@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest, token: str) -> HttpResponse:
    _uid, ticket = _ticket_for(token)
    if ticket.merged_into_id is not None and request.method != "POST":
        # Merged: the conversation lives on in the surviving request (a reply posted here lands
        # there too, through threading).
        return redirect("portal:track", token=make_token(tickets.ticket_survivor(ticket=ticket).tracking_uid))
    form = ReplyForm(initial={"submission_id": uuid.uuid4().hex})
    status = 200
    if request.method == "POST":
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
                return redirect("portal:track", token=make_token(landed.tracking_uid))
        else:
            status = 400
    context = {
        "ticket": ticket,
        "token": token,
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=True),
        "form": form,
        # Issue 13: the incidents this request is part of, as the status page shows them.
        "incidents": incidents_public_for_ticket(ticket_id=ticket.pk, language=get_language() or "en"),
    }
    return render(request, "portal/track.html", context, status=status)


def track_attachment(request: HttpRequest, token: str, attachment_id: int) -> FileResponse:
    uid, _ticket = _ticket_for(token)
    try:
        att = tickets.attachment_for_tracking(uid=uid, attachment_id=attachment_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return attachment_response(att)


def _chat_of_this_browser(request: HttpRequest) -> Ticket | None:
    """The chat this browser started, proven by its signed cookie; None without proof."""
    value = request.get_signed_cookie(
        CHAT_COOKIE, default=None, salt=CHAT_COOKIE_SALT, max_age=CHAT_COOKIE_AGE
    )
    try:
        return tickets.ticket_for_tracking(uid=uuid.UUID(value)) if value else None
    except (ValueError, DomainError):
        return None


def _remember_chat(response: HttpResponse, ticket: Ticket) -> HttpResponse:
    response.set_signed_cookie(
        CHAT_COOKIE, str(ticket.tracking_uid), salt=CHAT_COOKIE_SALT, max_age=CHAT_COOKIE_AGE,
        path=reverse("portal:chat_start"), secure=settings.SESSION_COOKIE_SECURE, httponly=True,
        samesite="Lax",
    )  # fmt: skip
    return response


def _chat_start_context(request: HttpRequest, form: ChatStartForm) -> dict:
    own = _chat_of_this_browser(request)
    open_token = make_token(own.tracking_uid) if own is not None and own.is_open else None
    return {"form": form, "open_chat_token": open_token}


@require_http_methods(["GET", "HEAD", "POST"])
def chat_start(request: HttpRequest) -> HttpResponse:
    """The chat box's first step: who you are and your question; it opens a ticket.

    Only the browser that started an open chat continues it (its cookie): a typed address alone
    opens a new conversation, which intake links to the customer's open request for the agent.
    """
    if request.method in ("GET", "HEAD"):
        form = ChatStartForm(initial={"submission_id": uuid.uuid4().hex})
        return render(request, "portal/chat_start.html", _chat_start_context(request, form))
    form = ChatStartForm(request.POST)
    if _limited(request, "portal-chat"):
        return _too_many(request, "portal/chat_start.html", _chat_start_context(request, form))
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        language = (get_language() or "en")[:2]
        own = _chat_of_this_browser(request)
        try:
            result = receive(
                InboundMessage(
                    channel="chat",
                    customer=CustomerData(
                        name=d["name"], email=d["email"] or None, phone=d["phone"] or None, language=language
                    ),
                    subject=" ".join(d["message"].split())[:80], text=d["message"], language=language,
                    external_id=f"chat:{d['submission_id']}" if d["submission_id"] else None,
                    thread_ticket_id=own.pk if own is not None and own.is_open else None,
                    unproven_identity=True,
                )
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
            _new_submission(form)
        else:
            response = redirect("portal:chat", token=make_token(result.ticket.tracking_uid))
            return _remember_chat(response, result.ticket)
    return render(request, "portal/chat_start.html", _chat_start_context(request, form), status=status)


def _to_chat(request: HttpRequest, token: str) -> HttpResponse:
    url = reverse("portal:chat", kwargs={"token": token})
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _chat_context(ticket, token: str) -> dict:  # type: ignore[no-untyped-def]
    return {
        "ticket": ticket,
        "token": token,
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=True),
        "form": ChatMessageForm(initial={"submission_id": uuid.uuid4().hex}),
        "agent_present": tickets.chat_agent_present(ticket=ticket),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def chat(request: HttpRequest, token: str) -> HttpResponse:
    """The chat room: the page polls its message list every second (htmx), and posts in place."""
    _uid, ticket = _ticket_for(token)
    if request.method == "POST":
        form = ChatMessageForm(request.POST)
        if _limited(request, "portal-chat"):
            # htmx shows the text in the chat's live region, the message kept in the box.
            if request.htmx:
                return HttpResponse(str(TOO_MANY), status=429, content_type=PLAIN)
            return render(request, "429.html", status=429)
        if form.is_valid():
            try:
                landed = _customer_words(
                    ticket, channel="chat", text=form.cleaned_data["message"],
                    submission_id=form.cleaned_data["submission_id"],
                )  # fmt: skip
            except DomainError as exc:
                return HttpResponse(exc.message, status=exc.status_code, content_type=PLAIN)
            if landed.pk != ticket.pk:  # this chat was closed: the message opened a new one
                return _to_chat(request, make_token(landed.tracking_uid))
        if not request.htmx:
            return redirect("portal:chat", token=token)
        return render(request, "portal/chat.html#room", _chat_context(ticket, token))
    template = "portal/chat.html#conversation" if request.htmx else "portal/chat.html"
    return render(request, template, _chat_context(ticket, token))
