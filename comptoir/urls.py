from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView
from django.views.i18n import set_language

from comptoir.api.api import api
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

urlpatterns = [
    path("", include(portal_patterns)),
    path("desk/", include("comptoir.desk.urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links; answer with the shipped icon.
    path("favicon.ico", RedirectView.as_view(url=static("comptoir/favicon.svg"), permanent=True)),
]
