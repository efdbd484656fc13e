"""Customer pages: the request form and the tracking page. A token is the only key to a ticket."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from comptoir.common.exceptions import DomainError
from comptoir.common.net import ratelimit_key
from comptoir.customers.services import CustomerData
from comptoir.intake.services import InboundMessage, receive
from comptoir.tickets import selectors as tickets
from comptoir.tickets.services import ticket_customer_reply
from comptoir.tickets.tracking import make_token, parse_token

from .forms import ChatMessageForm, ChatStartForm, ReplyForm, RequestForm, incoming_files

TOO_MANY = gettext_lazy("Too many requests from your address. Please wait a minute and try again.")


def _limited(request: HttpRequest, group: str) -> bool:
    return is_ratelimited(
        request, group=group, key=ratelimit_key, rate=settings.COMPTOIR_PORTAL_RATE,
        method="POST", increment=True,
    )  # fmt: skip


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["error"] = TOO_MANY
    return render(request, template, context, status=429)


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = RequestForm(initial={"submission_id": uuid.uuid4().hex})
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
                )
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status_code
        else:
            token = make_token(result.ticket.tracking_uid)
            return redirect("portal:submitted", token=token)
    return render(request, "portal/request_form.html", {"form": form}, status=status)


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


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, token: str) -> HttpResponse:
    _uid, ticket = _ticket_for(token)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if _limited(request, "portal-reply"):
            status = 429
            form.add_error(None, TOO_MANY)
        elif form.is_valid():
            try:
                ticket_customer_reply(
                    ticket=ticket, body=form.cleaned_data["body"], channel="web",
                    files=incoming_files(request.FILES.getlist("attachment")),
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("Your reply was added to your request."))
                return redirect("portal:track", token=token)
        else:
            status = 400
    context = {
        "ticket": ticket,
        "token": token,
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=True),
        "form": form,
    }
    return render(request, "portal/track.html", context, status=status)


def track_attachment(request: HttpRequest, token: str, attachment_id: int) -> FileResponse:
    uid, _ticket = _ticket_for(token)
    try:
        att = tickets.attachment_for_tracking(uid=uid, attachment_id=attachment_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return attachment_response(att)


def attachment_response(att) -> FileResponse:  # type: ignore[no-untyped-def]
    """Always a download: never rendered inline on our origin, whatever the file claims to be."""
    response = FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.filename,
        content_type=att.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
def chat_start(request: HttpRequest) -> HttpResponse:
    """The chat box's first step: who you are and your question; it opens (or continues) a ticket."""
    if request.method == "GET":
        form = ChatStartForm(initial={"submission_id": uuid.uuid4().hex})
        return render(request, "portal/chat_start.html", {"form": form})
    form = ChatStartForm(request.POST)
    if _limited(request, "portal-chat"):
        return _too_many(request, "portal/chat_start.html", {"form": form})
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        language = (get_language() or "en")[:2]
        try:
            result = receive(
                InboundMessage(
                    channel="chat",
                    customer=CustomerData(
                        name=d["name"], email=d["email"] or None, phone=d["phone"] or None, language=language
                    ),
                    subject=" ".join(d["message"].split())[:80], text=d["message"], language=language,
                    external_id=f"chat:{d['submission_id']}" if d["submission_id"] else None,
                    continue_open=True,
                )
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            return redirect("portal:chat", token=make_token(result.ticket.tracking_uid))
    return render(request, "portal/chat_start.html", {"form": form}, status=status)


def _chat_context(ticket, token: str) -> dict:  # type: ignore[no-untyped-def]
    return {
        "ticket": ticket,
        "token": token,
        "messages_list": tickets.ticket_messages(ticket=ticket, public_only=True),
        "form": ChatMessageForm(),
    }


@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest, token: str) -> HttpResponse:
    """The chat room: the page polls its message list every second (htmx), and posts in place."""
    _uid, ticket = _ticket_for(token)
    if request.method == "POST":
        form = ChatMessageForm(request.POST)
        if _limited(request, "portal-chat"):
            return HttpResponse(str(TOO_MANY), status=429)
        if form.is_valid():
            try:
                ticket_customer_reply(ticket=ticket, body=form.cleaned_data["message"], channel="chat")
            except DomainError as exc:
                return HttpResponse(exc.message, status=exc.status_code)
        if not request.htmx:
            return redirect("portal:chat", token=token)
        return render(request, "portal/chat.html#room", _chat_context(ticket, token))
    template = "portal/chat.html#conversation" if request.htmx else "portal/chat.html"
    return render(request, template, _chat_context(ticket, token))
