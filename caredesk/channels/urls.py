from django.urls import path

from caredesk.channels import webhooks

app_name = "channels"

urlpatterns = [
    path("email/inbound/", webhooks.email_inbound, name="email-inbound"),
    path("twilio/sms/", webhooks.sms_inbound, name="twilio-sms"),
    path("twilio/sms/status/", webhooks.sms_status, name="twilio-sms-status"),
    path("twilio/voice/", webhooks.voice_incoming, name="twilio-voice"),
    path("twilio/voice/dial-status/", webhooks.voice_dial_status, name="twilio-voice-dial-status"),
    path("twilio/voice/status/", webhooks.voice_status, name="twilio-voice-status"),
    path("twilio/voice/recording/", webhooks.voice_recording, name="twilio-voice-recording"),
    path("twilio/voice/transcription/", webhooks.voice_transcription, name="twilio-voice-transcription"),
]
