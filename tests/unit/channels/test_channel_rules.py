"""Pure channel rules: call outcomes from Twilio statuses, retry backoff, TwiML."""

from datetime import timedelta

import pytest

from caredesk.channels.actions import MAXIMUM_RETRY_DELAY, retry_delay
from caredesk.channels.voice import call_outcome, forward_twiml, voicemail_twiml


@pytest.mark.parametrize(("direction", "status", "outcome"), [
    ("inbound", "completed", "abandoned"), ("inbound", "canceled", "abandoned"), ("inbound", "busy", "missed"),
    ("inbound", "no-answer", "missed"), ("inbound", "failed", "missed"), ("outbound-api", "completed", "answered"),
    ("outbound-dial", "busy", "busy"), ("outbound-api", "no-answer", "no_answer"),
    ("outbound-api", "failed", "failed"), ("outbound-api", "canceled", "canceled"),
    ("inbound", "ringing", None), ("outbound-api", "in-progress", None), ("inbound", "queued", None),
])
def test_call_outcomes(direction, status, outcome):
    assert call_outcome(direction=direction, call_status=status) == outcome


def test_retry_delay_doubles_up_to_six_hours():
    assert [retry_delay(attempt, 60) for attempt in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2),
                                                                  timedelta(minutes=4)]
    assert retry_delay(30, 60) == MAXIMUM_RETRY_DELAY == timedelta(hours=6)


def test_twiml():
    voicemail = voicemail_twiml("https://desk.example.com/r/", "https://desk.example.com/t/")
    assert '<Record action="https://desk.example.com/r/"' in voicemail and 'transcribe="true"' in voicemail
    assert 'recordingStatusCallback="http' in voicemail and "/channels/twilio/recordings/status/" in voicemail
    assert '<Dial action="https://d/a/" timeout="20">+15005550001</Dial>' in forward_twiml("+15005550001", "https://d/a/")
