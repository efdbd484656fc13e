"""The desk's URLs (namespace ``desk``), included at ``/desk/`` by ``comptoir.urls``."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import assignment, auth, channels, customers, inbound, outbox, queue, tickets, triage

app_name = "desk"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", queue.queue, name="queue"),
    path("tickets/<str:reference>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/messages/", tickets.ticket_message, name="ticket_message"),
    path("tickets/<str:reference>/change/", tickets.ticket_change, name="ticket_change"),
    path("tickets/<str:reference>/reviewed/", tickets.ticket_reviewed, name="ticket_reviewed"),
    path("next/", queue.next_ticket, name="next_ticket"),
    path("triage/", triage.triage, name="triage"),
    path("categories/", triage.categories, name="categories"),
    path("tickets/<str:reference>/pick/", assignment.ticket_pick, name="ticket_pick"),
    path("tickets/<str:reference>/skip/", assignment.ticket_skip, name="ticket_skip"),
    path("tickets/<str:reference>/escalate/", assignment.ticket_escalate, name="ticket_escalate"),
    path("tickets/<str:reference>/deescalate/", assignment.ticket_deescalate, name="ticket_deescalate"),
    path(
        "tickets/<str:reference>/messages/<int:message_id>/approve/",
        tickets.message_approve,
        name="message_approve",
    ),
    path(
        "tickets/<str:reference>/messages/<int:message_id>/review/",
        tickets.message_review_view,
        name="message_review",
    ),
    path("files/<int:attachment_id>/", tickets.attachment, name="attachment"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:customer_id>/merge/", customers.customer_merge_view, name="customer_merge"),
    path(
        "customers/<int:customer_id>/merges/<int:merge_id>/undo/",
        customers.customer_unmerge_view,
        name="customer_unmerge",
    ),
    path("customers/<int:customer_id>/consent/", customers.customer_consent_view, name="customer_consent"),
    path("calls/new/", channels.call_new, name="call_new"),
    path("inbound/", inbound.inbound_failures, name="inbound"),
]
