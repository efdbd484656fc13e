from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from comptoir.api.api import api
from comptoir.desk.views.me import language_switch
from comptoir.portal import deflection as portal_deflection
from comptoir.portal import help as portal_help
from comptoir.portal import my as portal_my
from comptoir.portal import quality as portal_quality
from comptoir.portal import status as portal_status
from comptoir.portal import surveys as portal_surveys
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
        # My requests (issue 10): sign-in by one-time link, then the customer's own requests.
        # Help centre (issue 11): published public articles.
        path("help/", portal_help.help_index, name="help"),
        path("help/<int:article_id>/", portal_help.help_article, name="help_article"),
        path("help/suggest/", portal_deflection.help_suggest, name="help_suggest"),
        path("survey/<str:reference>/<str:token>/", portal_surveys.survey_page, name="survey"),  # issue 12
        path("status/", portal_status.status_page, name="status"),  # issue 13: public status page
        path("my/", portal_my.my_requests, name="my_requests"),
        path("my/signin/", portal_my.my_signin, name="my_signin"),
        path("my/signin/sent/", portal_my.my_signin_sent, name="my_signin_sent"),
        path("my/continue/<str:token>/", portal_my.my_continue, name="my_continue"),
        path("my/signout/", portal_my.my_signout, name="my_signout"),
        path("my/new/", portal_my.my_new, name="my_new"),
        path("my/quality/", portal_quality.my_quality, name="my_quality"),  # issue 12: key accounts
        path("my/requests/<str:reference>/", portal_my.my_request, name="my_request"),
        path("my/requests/<str:reference>/close/", portal_my.my_request_close, name="my_request_close"),
        path(
            "my/requests/<str:reference>/files/<int:attachment_id>/",
            portal_my.my_attachment,
            name="my_attachment",
        ),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("desk/", include("comptoir.desk.urls")),
    path("api/v1/", api.urls),
    # Django's set_language, which also saves a signed-in agent's choice (their emails' language).
    path("i18n/setlang/", language_switch, name="set_language"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links; answer with the shipped icon.
    path("favicon.ico", RedirectView.as_view(url=static("comptoir/favicon.svg"), permanent=True)),
]
