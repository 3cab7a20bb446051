"""Recordings on the ticket timeline: a player for recent ones, the reason form for a Resolution Specialist past
90 days, a clear refusal for everyone else; the audio comes from caredesk's own view, logged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.core import clock, roles
from caredesk.recordings import actions
from caredesk.recordings.models import RecordingAccess
from caredesk.tickets import actions as ticket_actions


@pytest.fixture
def call(ticket, actor):
    return ticket_actions.add_interaction(ticket, actor=actor, channel="phone", direction="inbound", kind="call",
                                          call_outcome="answered", external_id="CA0001", body="A call.")


def _recording(call, days_old):
    return actions.record_console_recording(call, recorded_at=clock.now() - timedelta(days=days_old))


def test_a_recent_recording_plays_on_the_timeline(signed_in, call, frozen_clock):
    recording = _recording(call, 5)
    page = signed_in.get(f"/tickets/{call.ticket_id}/").content.decode()
    assert f'<audio controls preload="none" src="/recordings/{recording.pk}/content/"></audio>' in page
    audio = signed_in.get(f"/recordings/{recording.pk}/content/", HTTP_RANGE="bytes=0-3")
    assert audio.status_code == 206 and b"".join(audio.streaming_content) == b"RIFF"
    assert RecordingAccess.objects.get().kind == "play"


def test_an_old_recording_asks_a_specialist_for_the_reason_and_refuses_others(
        client, signed_in, call, make_agent, frozen_clock):
    recording = _recording(call, 91)
    page = signed_in.get(f"/tickets/{call.ticket_id}/").content.decode()
    assert "<audio" not in page and "for Resolution Specialists only" in page
    assert signed_in.get(f"/recordings/{recording.pk}/content/").status_code == 403
    assert not RecordingAccess.objects.exists()

    client.force_login(make_agent("sam", roles.RESOLUTION_SPECIALIST))
    page = client.get(f"/tickets/{call.ticket_id}/").content.decode()
    assert 'name="reason"' in page and "<audio" not in page
    empty = client.get(f"/recordings/{recording.pk}/?reason=", HTTP_HX_REQUEST="true").content.decode()
    assert "Say why you open this recording." in empty
    player = client.get(f"/recordings/{recording.pk}/?reason=Compliance+check").content.decode()
    assert f'src="/recordings/{recording.pk}/content/?reason=Compliance%20check"' in player
    assert client.get(f"/recordings/{recording.pk}/content/?reason=Compliance%20check").status_code == 200
    assert RecordingAccess.objects.get().reason == "Compliance check"
