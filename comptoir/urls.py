from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView
from django.views.i18n import set_language

from comptoir.api.views import api
from comptoir.desk import views as desk
from comptoir.portal import views as portal

portal_patterns = (
    [
        path("", portal.request_new, name="request_new"),
        path("submitted/<str:token>/", portal.request_submitted, name="submitted"),
        path("track/<str:token>/", portal.track, name="track"),
        path("chat/", portal.chat_start, name="chat_start"),
        path("chat/<str:token>/", portal.chat, name="chat"),
        path(
            "track/<str:token>/files/<int:attachment_id>/",
            portal.track_attachment,
            name="track_attachment",
        ),
    ],
    "portal",
)

desk_patterns = (
    [
        path("login/", desk.LoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("", desk.queue, name="queue"),
        path("tickets/<str:reference>/", desk.ticket_detail, name="ticket"),
        path("tickets/<str:reference>/messages/", desk.ticket_message, name="ticket_message"),
        path("tickets/<str:reference>/change/", desk.ticket_change, name="ticket_change"),
        path("next/", desk.next_ticket, name="next_ticket"),
        path("triage/", desk.triage, name="triage"),
        path("categories/", desk.categories, name="categories"),
        path("tickets/<str:reference>/pick/", desk.ticket_pick, name="ticket_pick"),
        path("tickets/<str:reference>/skip/", desk.ticket_skip, name="ticket_skip"),
        path("tickets/<str:reference>/escalate/", desk.ticket_escalate, name="ticket_escalate"),
        path("tickets/<str:reference>/deescalate/", desk.ticket_deescalate, name="ticket_deescalate"),
        path(
            "tickets/<str:reference>/messages/<int:message_id>/approve/",
            desk.message_approve,
            name="message_approve",
        ),
        path(
            "tickets/<str:reference>/messages/<int:message_id>/review/",
            desk.message_review_view,
            name="message_review",
        ),
        path("files/<int:attachment_id>/", desk.attachment, name="attachment"),
        path("outbox/", desk.outbox, name="outbox"),
        path("customers/<int:customer_id>/", desk.customer_detail, name="customer"),
        path("customers/<int:customer_id>/merge/", desk.customer_merge_view, name="customer_merge"),
        path(
            "customers/<int:customer_id>/merges/<int:merge_id>/undo/",
            desk.customer_unmerge_view,
            name="customer_unmerge",
        ),
        path("customers/<int:customer_id>/consent/", desk.customer_consent_view, name="customer_consent"),
        path("calls/new/", desk.call_new, name="call_new"),
        path("inbound/", desk.inbound_failures, name="inbound"),
    ],
    "desk",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("desk/", include(desk_patterns)),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links; answer with the shipped icon.
    path("favicon.ico", RedirectView.as_view(url=static("comptoir/favicon.svg"), permanent=True)),
]
