"""The warm transfer through Twilio's signed callbacks: each rung a <Dial timeout action>, an answered leg, an
unanswered rung moving the ladder on at once, and the last rung's <Record> becoming the callback's voicemail."""

from __future__ import annotations

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from caredesk.core import roles
from caredesk.core.actions import set_presence
from caredesk.escalations import actions
from caredesk.escalations.telephony import TwilioProvider, transfer_provider

PUBLIC_URL = "https://desk.example.com"


@pytest.fixture(autouse=True)
def twilio(settings):
    settings.PUBLIC_URL, settings.TWILIO_AUTH_TOKEN = PUBLIC_URL, "test-auth-token"


def twilio_post(path: str, params: dict, *, signed=True):
    signature = RequestValidator("test-auth-token").compute_signature(PUBLIC_URL + path, params)
    return Client().post(path, params, **({"HTTP_X_TWILIO_SIGNATURE": signature} if signed else {}))


@pytest.fixture
def ringing(make_agent, agent, ticket):
    for username, role in (("sam", roles.RESOLUTION_SPECIALIST), ("tess", roles.TEAM_SUPERVISOR)):
        set_presence(make_agent(username, role, skills=["Resolution Lead"]), "available")
    escalation = actions.record_request(ticket, agent=agent)
    return actions.record_choice(escalation, agent=agent, waits=False, call_sid="CA0001")


def test_the_rung_is_a_dial_of_its_agents_with_its_timeout(ringing):
    response = twilio_post(f"/channels/twilio/escalations/{ringing.pk}/rung/", {"CallSid": "CA0001"})
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    twiml = response.content.decode()
    assert '<Dial action="https://desk.example.com/channels/twilio/escalations/' in twiml
    assert 'timeout="30"' in twiml and ">sam</Client>" in twiml and "rung-ended/?rung=1" in twiml


def test_an_unsigned_callback_is_refused_and_changes_nothing(ringing):
    response = twilio_post(f"/channels/twilio/escalations/{ringing.pk}/rung-ended/?rung=1",
                           {"DialCallStatus": "no-answer"}, signed=False)
    assert response.status_code == 403
    ringing.refresh_from_db()
    assert ringing.rung == 0


def test_an_unanswered_rung_moves_on_at_once_and_a_repeat_changes_nothing(ringing):
    path = f"/channels/twilio/escalations/{ringing.pk}/rung-ended/?rung=1"
    twiml = twilio_post(path, {"DialCallStatus": "no-answer"}).content.decode()
    assert ">tess</Client>" in twiml and "rung-ended/?rung=2" in twiml
    assert ">tess</Client>" in twilio_post(path, {"DialCallStatus": "no-answer"}).content.decode()  # retried
    last = twilio_post(f"/channels/twilio/escalations/{ringing.pk}/rung-ended/?rung=2", {"DialCallStatus": "busy"})
    assert "<Record" in last.content.decode() and 'transcribe="true"' in last.content.decode()
    ringing.refresh_from_db()
    assert ringing.status == "voicemail"
    recorded = twilio_post(f"/channels/twilio/escalations/{ringing.pk}/recording/", {
        "RecordingSid": "RE0001", "RecordingUrl": "https://api.twilio.com/RE0001", "RecordingDuration": "12",
        "TranscriptionText": "Call me back about my complaint."})
    assert "<Hangup" in recorded.content.decode()
    ringing.refresh_from_db()
    assert ringing.voicemail.body == "Call me back about my complaint." and ringing.voicemail.ticket == ringing.ticket


def test_an_answered_leg_is_the_agent_answering(ringing):
    response = twilio_post(f"/channels/twilio/escalations/{ringing.pk}/answered/?agent=sam", {"CallStatus": "in-progress"})
    assert response.status_code == 204
    ringing.refresh_from_db()
    assert (ringing.status, ringing.answered_by.username) == ("discussing", "sam")
    assert twilio_post(f"/channels/twilio/escalations/{ringing.pk}/answered/?agent=tess", {}).status_code == 204


def test_the_twilio_provider_moves_the_live_call(settings, ringing):
    settings.TRANSFER_PROVIDER, settings.TWILIO_ACCOUNT_SID = "twilio", "AC" + "0" * 32
    provider = transfer_provider()
    assert isinstance(provider, TwilioProvider)
    moved = []

    class TwilioRestApi:  # the REST API at Twilio's end: what the provider asked of it
        def calls(self, sid):
            return type("Call", (), {"update": lambda call, **fields: moved.append((sid, fields))})()

    provider.client = TwilioRestApi()
    provider.start(ringing)
    assert moved == [("CA0001", {"url": f"{PUBLIC_URL}/channels/twilio/escalations/{ringing.pk}/rung/",
                                 "method": "POST"})]


def test_an_agent_who_hangs_up_without_accepting_declines_and_the_customer_stays(ringing):
    twilio_post(f"/channels/twilio/escalations/{ringing.pk}/answered/?agent=sam", {"CallStatus": "in-progress"})
    twiml = twilio_post(f"/channels/twilio/escalations/{ringing.pk}/rung-ended/?rung=1",
                        {"DialCallStatus": "completed"}).content.decode()
    assert ">tess</Client>" in twiml
    ringing.refresh_from_db()
    assert (ringing.status, ringing.rung) == ("ringing", 1)


def test_an_accepted_transfer_hangs_up_when_the_agent_does(ringing):
    from caredesk.core.models import Agent

    actions.answer(ringing, agent=Agent.objects.get(username="sam"))
    actions.accept(ringing, agent=Agent.objects.get(username="sam"))
    twiml = twilio_post(f"/channels/twilio/escalations/{ringing.pk}/rung-ended/?rung=1",
                        {"DialCallStatus": "completed"}).content.decode()
    assert "<Hangup" in twiml and "<Dial" not in twiml
