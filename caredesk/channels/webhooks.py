"""HTTP endpoints for providers: Twilio's SMS and voice webhooks, and raw MIME from a mail provider.

Twilio requests must carry a valid X-Twilio-Signature for CAREDESK_PUBLIC_URL + the path (checked with
Twilio's RequestValidator and CAREDESK_TWILIO_AUTH_TOKEN); anything else gets 403 and changes nothing.
The raw MIME endpoint takes the shared secret CAREDESK_INBOUND_EMAIL_SECRET in an X-Caredesk-Inbound-Secret
header or as the password of HTTP Basic authentication (for providers that only let you put credentials in
the webhook URL); it is off (404) while the secret is empty.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from caredesk.channels import actions, inbound, sms, voice
from caredesk.channels.config import webhook_url
from caredesk.channels.models import InboundMessage
from caredesk.channels.providers import twilio_signature_is_valid
from caredesk.core.errors import DomainError
from caredesk.core.problems import problem_response

TWIML = "text/xml"
TWILIO_MAX_MEDIA = 10  # Twilio attaches at most ten media files to a message; NumMedia beyond that is forged


def _problem(error: DomainError) -> HttpResponse:
    return problem_response(error.status, error.title, error.detail, field=error.field, type_slug=error.type_slug)


def twilio_webhook(view):
    """POST only, signature checked before anything is read, domain errors as problem+json."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request, *args, **kwargs):
        signature = request.headers.get("X-Twilio-Signature")
        if not twilio_signature_is_valid(webhook_url(request.get_full_path()), request.POST, signature):
            return problem_response(403, "Forbidden", "The request is not signed by Twilio for this URL.",
                                    type_slug="forbidden")
        try:
            return view(request, request.POST, *args, **kwargs)
        except DomainError as error:
            return _problem(error)

    return checked


def _seconds(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


@twilio_webhook
def sms_inbound(request, params):
    count = min(_seconds(params.get("NumMedia")), TWILIO_MAX_MEDIA)
    media = [params.get(f"MediaUrl{index}") for index in range(count)]
    sms.receive_sms(sid=params.get("MessageSid", ""), from_number=params.get("From", ""),
                    to_number=params.get("To", ""), body=params.get("Body", ""), media_urls=[m for m in media if m])
    return HttpResponse("<Response/>", content_type=TWIML)


@twilio_webhook
def sms_status(request, params):
    actions.record_provider_status(params.get("MessageSid", ""), params.get("MessageStatus", ""))
    return HttpResponse(status=204)


@twilio_webhook
def voice_incoming(request, params):
    """The number's voice URL: ring the forward number, or take a voicemail (the call counts as missed)."""
    if settings.VOICE_FORWARD_TO:
        return HttpResponse(voice.forward_twiml(settings.VOICE_FORWARD_TO, _path("dial-status")), content_type=TWIML)
    voice.record_call(call_sid=params.get("CallSid", ""), direction="inbound", from_number=params.get("From", ""),
                      to_number=params.get("To", ""), outcome=voice.Outcome.MISSED, status="voicemail")
    return HttpResponse(_voicemail(), content_type=TWIML)


@twilio_webhook
def voice_dial_status(request, params):
    """Where <Dial> reports how the forwarded leg ended: answered, or missed/abandoned (then voicemail)."""
    dial_status = params.get("DialCallStatus", "")
    outcome = voice.DIAL_OUTCOMES.get(dial_status, voice.Outcome.MISSED)
    voice.record_call(call_sid=params.get("CallSid", ""), direction="inbound", from_number=params.get("From", ""),
                      to_number=params.get("To", ""), outcome=outcome, status=f"dial {dial_status}",
                      duration_seconds=_seconds(params.get("DialCallDuration")))
    if outcome == voice.Outcome.MISSED:
        return HttpResponse(_voicemail(), content_type=TWIML)
    return HttpResponse(voice.goodbye_twiml(), content_type=TWIML)


@twilio_webhook
def voice_status(request, params):
    """The call's status callback: records a finished call caredesk has not recorded yet."""
    direction, status = params.get("Direction", "inbound"), params.get("CallStatus", "")
    outcome = voice.call_outcome(direction=direction, call_status=status)
    if outcome is not None:
        voice.record_call(call_sid=params.get("CallSid", ""), direction=direction, status=status,
                          from_number=params.get("From", ""), to_number=params.get("To", ""), outcome=outcome,
                          duration_seconds=_seconds(params.get("CallDuration")))
    return HttpResponse(status=204)


@twilio_webhook
def voice_recording(request, params):
    voice.record_voicemail(
        recording_sid=params.get("RecordingSid", ""), call_sid=params.get("CallSid", ""),
        from_number=params.get("From", ""), recording_url=params.get("RecordingUrl", ""),
        duration_seconds=_seconds(params.get("RecordingDuration")), transcription=params.get("TranscriptionText", ""),
    )
    return HttpResponse(voice.goodbye_twiml("Thank you. Goodbye."), content_type=TWIML)


@twilio_webhook
def voice_transcription(request, params):
    voice.record_transcription(transcription_sid=params.get("TranscriptionSid", ""),
                               recording_sid=params.get("RecordingSid", ""), text=params.get("TranscriptionText", ""))
    return HttpResponse(status=204)


def _path(name: str) -> str:
    return webhook_url(f"/channels/twilio/voice/{name}/")


def _voicemail() -> str:
    return voice.voicemail_twiml(_path("recording"), _path("transcription"))


# raw MIME


def _inbound_secret_matches(request) -> bool:
    secret = settings.INBOUND_EMAIL_SECRET.encode()
    given = request.headers.get("X-Caredesk-Inbound-Secret", "").encode()
    authorization = request.headers.get("Authorization", "")
    if not given and authorization.startswith("Basic "):
        try:
            given = base64.b64decode(authorization[6:], validate=True).partition(b":")[2]
        except (binascii.Error, ValueError):
            return False
    return bool(given) and hmac.compare_digest(given, secret)


@csrf_exempt
@require_POST
def email_inbound(request):
    """A raw RFC 5322 message as the request body. 202 once stored; processed right after."""
    if not settings.INBOUND_EMAIL_SECRET:
        return problem_response(404, "Not found", "The inbound email endpoint is off.", type_slug="not-found")
    if not _inbound_secret_matches(request):
        return problem_response(403, "Forbidden", "Send the inbound email secret in X-Caredesk-Inbound-Secret.",
                                type_slug="forbidden")
    limit = settings.EMAIL_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    raw = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(raw) > limit:
        return problem_response(413, "Request body too large", f"A message has at most {limit} bytes.",
                                field="body", type_slug="request-body-too-large")
    try:
        row = actions.store_inbound(raw, source=InboundMessage.Source.HTTP,
                                    envelope_recipients=request.GET.getlist("recipient"))
    except DomainError as error:
        return _problem(error)
    status = inbound.process_inbound(row.pk) or row.status
    return HttpResponse(json.dumps({"inbound_message": row.pk, "status": status}), status=202,
                        content_type="application/json")
