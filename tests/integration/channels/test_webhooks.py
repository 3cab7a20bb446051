"""Twilio webhooks signed with Twilio's own RequestValidator, and the raw MIME endpoint."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from caredesk.channels.models import InboundMessage
from caredesk.core.audit import Actor
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Interaction, Ticket
from tests.integration.channels.conftest import corpus_message, email_bytes
from tests.integration.helpers import nothing_written

pytestmark = pytest.mark.django_db
PUBLIC_URL = "https://desk.example.com"


def twilio_post(path: str, params: dict, *, token="test-auth-token", signature=None):
    signed = RequestValidator(token).compute_signature(PUBLIC_URL + path, params)
    headers = {} if signature is False else {"HTTP_X_TWILIO_SIGNATURE": signature or signed}
    return Client().post(path, params, **headers)


def sms(sid="SM0001", sender="+14155550132", body="Is my passport ready?"):
    return {"MessageSid": sid, "From": sender, "To": "+15005550006", "Body": body, "NumMedia": "0"}


def test_a_text_from_a_customer_lands_on_their_open_ticket_once(ticket):
    response = twilio_post("/channels/twilio/sms/", sms())
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    again = twilio_post("/channels/twilio/sms/", sms())  # Twilio retries a webhook
    assert again.status_code == 200
    text = Interaction.objects.get(external_id="SM0001")
    assert (text.ticket, text.channel, text.direction, text.author_customer) == (ticket, "sms", "inbound",
                                                                                 ticket.requester)
    assert text.body == "Is my passport ready?" and text.details["thread"] == "new"


def test_a_text_from_an_unknown_number_creates_customer_and_ticket():
    response = twilio_post("/channels/twilio/sms/", sms(sender="+1 (303) 555-0187"))
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == "sms" and ticket.requester.phones == ["+13035550187"]


@pytest.mark.parametrize("signature", [False, "forged", "wrong-token"])
def test_a_forged_or_missing_signature_gets_403_and_changes_nothing(ticket, signature):
    kwargs = {"token": "another-token"} if signature == "wrong-token" else {
        "signature": signature if signature else False}
    with nothing_written():
        response = twilio_post("/channels/twilio/sms/", sms(), **kwargs)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


def test_the_signature_covers_the_parameters(ticket):
    path = "/channels/twilio/sms/"
    signature = RequestValidator("test-auth-token").compute_signature(PUBLIC_URL + path, sms())
    with nothing_written():
        response = Client().post(path, sms(body="tampered"), HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403


def test_webhooks_refuse_everything_without_an_auth_token(settings, ticket):
    settings.TWILIO_AUTH_TOKEN = ""
    with nothing_written():
        assert twilio_post("/channels/twilio/sms/", sms()).status_code == 403


def test_a_bad_phone_number_is_a_clear_422(ticket):
    with nothing_written():
        response = twilio_post("/channels/twilio/sms/", sms(sender="not a number"))
    assert response.status_code == 422 and response.json()["field"] == "From"


def call(sid="CA0001", status="completed", direction="inbound", sender="+14155550132", **extra):
    return {"CallSid": sid, "CallStatus": status, "Direction": direction, "From": sender, "To": "+15005550006",
            **extra}


def test_an_incoming_call_without_forwarding_is_missed_and_offers_voicemail(ticket):
    response = twilio_post("/channels/twilio/voice/", call(status="ringing"))
    assert response.status_code == 200 and b"<Record" in response.content
    assert b"https://desk.example.com/channels/twilio/voice/recording/" in response.content
    missed = Interaction.objects.get(external_id="CA0001")
    assert (missed.kind, missed.channel, missed.call_outcome, missed.author_customer) == (
        "call", "phone", "missed", ticket.requester)
    twilio_post("/channels/twilio/voice/status/", call())  # the status callback of the same call
    assert Interaction.objects.filter(external_id="CA0001").count() == 1


@pytest.mark.parametrize(("dial_status", "outcome", "voicemail"), [
    ("completed", "answered", False), ("no-answer", "missed", True), ("busy", "missed", True),
    ("canceled", "abandoned", False),
])
def test_a_forwarded_call_is_recorded_with_how_the_dial_ended(ticket, settings, dial_status, outcome, voicemail):
    settings.VOICE_FORWARD_TO = "+15005550001"
    response = twilio_post("/channels/twilio/voice/", call(status="ringing"))
    assert b"<Dial" in response.content and not Interaction.objects.filter(kind="call").exists()
    response = twilio_post("/channels/twilio/voice/dial-status/", call(DialCallStatus=dial_status,
                                                                       DialCallDuration="42"))
    assert (b"<Record" in response.content) == voicemail
    assert Interaction.objects.get(external_id="CA0001").call_outcome == outcome


@pytest.mark.parametrize(("direction", "status", "outcome"), [
    ("outbound-api", "completed", "answered"), ("outbound-api", "busy", "busy"),
    ("outbound-api", "no-answer", "no_answer"), ("outbound-api", "failed", "failed"),
    ("outbound-api", "canceled", "canceled"), ("inbound", "canceled", "abandoned"),
    ("inbound", "no-answer", "missed"),
])
def test_call_status_callbacks_record_outcomes(ticket, direction, status, outcome):
    params = call(status=status, direction=direction)
    if direction != "inbound":
        params["From"], params["To"] = "+15005550006", "+14155550132"
    assert twilio_post("/channels/twilio/voice/status/", params).status_code == 204
    recorded = Interaction.objects.get(external_id="CA0001")
    assert recorded.call_outcome == outcome and recorded.ticket == ticket
    assert recorded.direction == ("inbound" if direction == "inbound" else "outbound")


def test_a_call_in_progress_records_nothing(ticket):
    with nothing_written():
        assert twilio_post("/channels/twilio/voice/status/", call(status="in-progress")).status_code == 204


def test_a_voicemail_and_its_transcription_land_on_the_callers_ticket(ticket):
    recording = {"RecordingSid": "RE0001", "CallSid": "CA0001", "From": "+14155550132",
                 "RecordingUrl": "https://api.twilio.com/recordings/RE0001", "RecordingDuration": "37"}
    assert twilio_post("/channels/twilio/voice/recording/", recording).status_code == 200
    voicemail = Interaction.objects.get(external_id="RE0001")
    assert (voicemail.ticket, voicemail.channel, voicemail.call_outcome) == (ticket, "voicemail", "voicemail_left")
    assert voicemail.details["recording_url"].endswith("RE0001") and voicemail.details["duration_seconds"] == 37
    transcription = {"TranscriptionSid": "TR0001", "RecordingSid": "RE0001", "TranscriptionText": "Call me back",
                     "TranscriptionStatus": "completed"}
    assert twilio_post("/channels/twilio/voice/transcription/", transcription).status_code == 204
    note = Interaction.objects.get(external_id="TR0001")
    assert note.kind == "note" and note.body == "Voicemail transcription: Call me back"


def test_a_missed_call_after_the_ticket_was_solved_opens_a_new_ticket(ticket):
    update_ticket(ticket, actor=Actor.system("test"), status="solved")
    twilio_post("/channels/twilio/voice/status/", call(status="no-answer"))
    missed = Interaction.objects.get(external_id="CA0001")
    assert missed.ticket != ticket and missed.ticket.requester == ticket.requester


def test_an_sms_status_report_marks_an_undelivered_text_failed(ticket, agent):
    from caredesk.channels import outbox
    from caredesk.channels.models import OutboundMessage
    from caredesk.tickets.actions import add_interaction

    add_interaction(ticket, actor=Actor.of_agent(agent), channel="sms", direction="outbound", kind="message",
                    body="hi")
    outbox.deliver_due()
    row = OutboundMessage.objects.get()
    response = twilio_post("/channels/twilio/sms/status/", {"MessageSid": row.provider_id,
                                                            "MessageStatus": "undelivered"})
    assert response.status_code == 204
    row.refresh_from_db()
    assert (row.status, row.provider_status) == ("failed", "undelivered")


# raw MIME over HTTP


@pytest.fixture
def inbound_secret(settings):
    settings.INBOUND_EMAIL_SECRET = "s3cret-inbound"
    return settings.INBOUND_EMAIL_SECRET


def post_raw(raw: bytes, **headers):
    return Client().generic("POST", "/channels/email/inbound/?recipient=support@example.com", raw,
                            content_type="message/rfc822", **headers)


def test_raw_mime_with_the_secret_becomes_a_ticket(inbound_secret):
    response = post_raw(email_bytes(subject="Via provider"), HTTP_X_CAREDESK_INBOUND_SECRET=inbound_secret)
    assert response.status_code == 202 and response.json()["status"] == "processed"
    row = InboundMessage.objects.get(pk=response.json()["inbound_message"])
    assert row.source == "http" and row.ticket.subject == "Via provider"
    assert row.envelope_recipients == ["support@example.com"]


def test_raw_mime_with_basic_auth_credentials_in_the_url(inbound_secret):
    credentials = base64.b64encode(b"mailgun:" + inbound_secret.encode()).decode()
    response = post_raw(email_bytes(), HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code == 202


@pytest.mark.parametrize("headers", [{}, {"HTTP_X_CAREDESK_INBOUND_SECRET": "guess"},
                                     {"HTTP_AUTHORIZATION": "Basic !!!"}])
def test_raw_mime_without_the_secret_is_refused(inbound_secret, headers):
    with nothing_written():
        assert post_raw(email_bytes(), **headers).status_code == 403
    assert not InboundMessage.objects.exists()


def test_the_raw_endpoint_is_off_without_a_secret():
    assert post_raw(email_bytes(), HTTP_X_CAREDESK_INBOUND_SECRET="").status_code == 404


def test_raw_mime_over_the_limit_is_413_and_an_empty_body_422(inbound_secret, settings):
    settings.EMAIL_MAX_BYTES = 1000
    big = email_bytes(body="x" * 2000)
    response = post_raw(big, HTTP_X_CAREDESK_INBOUND_SECRET=inbound_secret)
    assert response.status_code == 413 and response.json()["field"] == "body"
    response = post_raw(b"", HTTP_X_CAREDESK_INBOUND_SECRET=inbound_secret)
    assert response.status_code == 422 and response.json()["field"] == "raw"
    assert not InboundMessage.objects.exists()


def test_the_original_is_downloadable_through_the_api(api, inbound_secret):
    raw, _ = corpus_message("gmail_reply")
    row_id = post_raw(raw, HTTP_X_CAREDESK_INBOUND_SECRET=inbound_secret).json()["inbound_message"]
    response = api.get(f"/api/v1/inbound-messages/{row_id}/raw")
    assert response.status_code == 200 and response.content == raw
    assert response["Content-Type"] == "message/rfc822" and "attachment" in response["Content-Disposition"]
    described = api.get(f"/api/v1/inbound-messages/{row_id}").json()
    assert described["status"] == "processed" and described["ticket_id"]


def test_a_text_carries_at_most_the_ten_media_twilio_sends(ticket):
    """A signed request claiming three million media reads only the ten Twilio can send, at once."""
    params = {**sms(sid="SM0099"), "NumMedia": "3000000",
              **{f"MediaUrl{index}": f"https://api.twilio.com/media/{index}" for index in range(12)}}
    assert twilio_post("/channels/twilio/sms/", params).status_code == 200
    media = Interaction.objects.get(external_id="SM0099").details["media"]
    assert media == [f"https://api.twilio.com/media/{index}" for index in range(10)]
