from django.urls import path

from caredesk.recordings import webhooks

app_name = "recordings"

urlpatterns = [
    path("status/", webhooks.recording_status, name="twilio-recording-status"),
]
