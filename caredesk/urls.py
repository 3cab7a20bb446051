from django.contrib import admin
from django.urls import include, path

from caredesk.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("channels/twilio/escalations/", include("caredesk.escalations.urls")),
    path("channels/twilio/recordings/", include("caredesk.recordings.urls")),
    path("channels/", include("caredesk.channels.urls")),
    path("resolution/", include("caredesk.resolutions.urls")),
    path("survey/", include("caredesk.surveys.urls")),
    path("", include("caredesk.web.urls")),
]

handler403 = "caredesk.web.permissions.forbidden"
