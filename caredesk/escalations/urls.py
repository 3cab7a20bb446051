from django.urls import path

from caredesk.escalations import webhooks

app_name = "escalations"

urlpatterns = [
    path("<int:escalation_id>/rung/", webhooks.rung, name="twilio-rung"),
    path("<int:escalation_id>/rung-ended/", webhooks.rung_ended, name="twilio-rung-ended"),
    path("<int:escalation_id>/answered/", webhooks.answered, name="twilio-answered"),
    path("<int:escalation_id>/recording/", webhooks.recording, name="twilio-recording"),
]
