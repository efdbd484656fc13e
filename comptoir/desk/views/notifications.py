"""The agent's notifications (the bell's list), their email preferences, and the approvals list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from comptoir.notifications import selectors as notes
from comptoir.notifications.models import Notification
from comptoir.notifications.services import (
    notification_read,
    notification_settings_set,
    notifications_read_all,
)

from .common import agent_required


@agent_required
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "desk/notifications.html", {"notifications": notes.notification_list(user=request.user)}
    )


@agent_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; "open" goes on to its ticket, else back to the list."""
    reference = notes.notification_reference(user=request.user, notification_id=notification_id)
    notification_read(user=request.user, notification_id=notification_id)
    if reference and "open" in request.POST:
        return redirect("desk:ticket", reference=reference)
    link = notes.notification_link(user=request.user, notification_id=notification_id)
    if link and "open" in request.POST:  # not about a ticket (a corrective action): its page
        return redirect(link)
    return redirect("desk:notifications")


@agent_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = notifications_read_all(user=request.user)
    text = ngettext(
        "%(count)s notification marked as read.", "%(count)s notifications marked as read.", count
    )
    messages.success(request, text % {"count": count})
    return redirect("desk:notifications")


@agent_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Per kind: in the desk only, or in the desk and by email (through the outbox)."""
    if request.method == "POST":
        chosen = [kind for kind in Notification.Kind.values if request.POST.get(kind) == "email"]
        notification_settings_set(user=request.user, email_kinds=chosen)
        messages.success(request, _("Notification settings saved."))
        return redirect("desk:notification_settings")
    email = notes.email_kinds(user=request.user)
    rows = [
        (value, label, value in email)
        for value, label in Notification.Kind.choices
        if value not in Notification.ALWAYS_EMAILED
    ]
    return render(request, "desk/notification_settings.html", {"rows": rows})


@agent_required
def approvals(request: HttpRequest) -> HttpResponse:
    """Replies waiting for this senior's approval (supervisors: all), each with Approve; a 403
    to agents who approve nothing (the header does not offer them the link)."""
    if not notes.approvals_open(user=request.user):
        raise PermissionDenied
    return render(request, "desk/approvals.html", {"replies": notes.held_replies(actor=request.user)})
