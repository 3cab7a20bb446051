"""Call recordings (SOP 003): stored by caredesk, streamed through its own route with ranges, open to any
agent up to 90 days, then to Resolution Specialists only with a reason; every access logged; Twilio's signed
callback queues the download the worker does from a local "provider"; retention deletes the audio."""

from __future__ import annotations

import base64
import http.server
import os
import threading
from datetime import timedelta

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from caredesk import worker
from caredesk.core import clock, roles
from caredesk.core.audit import Actor
from caredesk.recordings import actions
from caredesk.recordings.actions import source_allowed
from caredesk.recordings.models import Recording, RecordingAccess
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Interaction, TicketEvent
from tests.integration.helpers import assert_problem

PUBLIC_URL = "https://desk.example.com"
STATUS_PATH = "/channels/twilio/recordings/status/"


@pytest.fixture
def call(ticket, actor):
    return ticket_actions.add_interaction(ticket, actor=actor, channel="phone", direction="inbound", kind="call",
                                          call_outcome="answered", external_id="CA0001", body="A call.")


def _recording(call, days_old: int) -> Recording:
    return actions.record_console_recording(call, duration_seconds=1,
                                            recorded_at=clock.now() - timedelta(days=days_old))


def _content(client, recording, **extra):
    query = extra.pop("query", "")
    return client.get(f"/api/v1/recordings/{recording.pk}/content{query}", **extra)


def test_a_recording_older_than_90_days_is_for_resolution_specialists_with_a_reason(
        frozen_clock, call, make_agent, api_client_for, agent, back_office):
    recording = _recording(call, 91)
    specialist = make_agent("sam", roles.RESOLUTION_SPECIALIST)
    response = _content(api_client_for(specialist), recording, query="?reason=Compliance+review+of+case+12")
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content)[:4] == b"RIFF"
    access = RecordingAccess.objects.get()
    assert (access.agent, access.kind, access.reason) == (specialist, "play", "Compliance review of case 12")
    event = TicketEvent.objects.get(action="recording.accessed")
    assert event.after == {"recording": recording.pk, "kind": "play", "reason": "Compliance review of case 12"}
    assert event.actor_label == "sam"

    without_reason = _content(api_client_for(specialist), recording)
    assert without_reason.status_code == 422 and without_reason.json()["field"] == "reason"
    supervisor = make_agent("tess", roles.TEAM_SUPERVISOR)
    for other in (agent, back_office, supervisor):
        refused = _content(api_client_for(other), recording, query="?reason=curious")
        assert refused.status_code == 403, other
        assert refused["Content-Type"] == "application/problem+json"
        assert "Resolution Specialists only" in refused.json()["detail"]
    assert RecordingAccess.objects.count() == 1


def test_a_recording_89_days_old_plays_for_the_agent_on_the_ticket(frozen_clock, call, api):
    recording = _recording(call, 89)
    response = _content(api, recording)
    assert response.status_code == 200
    assert RecordingAccess.objects.get().reason == ""
    listed = api.get(f"/api/v1/tickets/{call.ticket_id}/recordings").json()
    assert [(item["id"], item["needs_reason"], item["status"]) for item in listed] == [(recording.pk, False, "stored")]


def test_range_requests_answer_206_with_the_bytes_asked(frozen_clock, call, api):
    recording = _recording(call, 1)
    whole = recording.file.open("rb").read()
    size = len(whole)
    response = _content(api, recording, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and response["Content-Range"] == f"bytes 0-99/{size}"
    assert response["Content-Length"] == "100" and b"".join(response.streaming_content) == whole[:100]
    tail = _content(api, recording, HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == whole[-10:]
    open_ended = _content(api, recording, HTTP_RANGE=f"bytes={size - 5}-")
    assert b"".join(open_ended.streaming_content) == whole[-5:]
    beyond = _content(api, recording, HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{size}"
    assert RecordingAccess.objects.count() == 1  # the requests of one play are one access


def test_admins_list_the_accesses(frozen_clock, call, api, api_client_for, admin_agent):
    recording = _recording(call, 3)
    _content(api, recording, query="?download=true")
    assert api.get("/api/v1/recording-accesses").status_code == 403
    page = api_client_for(admin_agent).get(f"/api/v1/recording-accesses?recording_id={recording.pk}").json()
    assert [(item["agent"], item["kind"], item["ticket_id"]) for item in page["items"]] == [
        ("maria", "download", call.ticket_id)]


class _Provider(http.server.BaseHTTPRequestHandler):
    audio = b"RIFF" + bytes(range(256)) * 40
    requests: list[tuple[str, str | None]] = []

    def do_GET(self):
        type(self).requests.append((self.path, self.headers.get("Authorization")))
        if self.path.endswith("missing"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "audio/x-wav")
        self.send_header("Content-Length", str(len(self.audio)))
        self.end_headers()
        self.wfile.write(self.audio)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    _Provider.requests.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def twilio(settings):
    settings.PUBLIC_URL, settings.TWILIO_AUTH_TOKEN = PUBLIC_URL, "test-auth-token"
    settings.RECORDING_SOURCE_HOSTS = ["127.0.0.1"]  # the provider below stands in for api.twilio.com


def _signed_post(params: dict, *, token="test-auth-token"):
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + STATUS_PATH, params)
    return Client().post(STATUS_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature)


def _callback(provider, sid="RE0001", path="/RE0001"):
    return {"RecordingSid": sid, "CallSid": "CA0001", "RecordingStatus": "completed", "RecordingDuration": "12",
            "RecordingUrl": provider + path, "RecordingStartTime": "Mon, 02 Mar 2026 13:50:00 +0000"}


def test_the_callback_queues_the_download_and_the_worker_stores_the_audio_once(twilio, provider, call, settings):
    settings.TWILIO_ACCOUNT_SID = "AC0001"
    assert _signed_post(_callback(provider)).status_code == 204
    assert _signed_post(_callback(provider)).status_code == 204  # Twilio retrying
    recording = Recording.objects.get()
    assert (recording.status, recording.interaction, recording.file.name) == ("downloading", call, "")
    assert _Provider.requests == []  # nothing fetched inside the webhook

    jobs = dict(worker.jobs())
    assert jobs["recording downloads"]() == 1
    assert jobs["recording downloads"]() == 0
    recording.refresh_from_db()
    assert recording.status == "stored" and recording.content_type == "audio/x-wav"
    assert recording.size_bytes == len(_Provider.audio) and recording.duration_seconds == 12
    assert recording.recorded_at.isoformat() == "2026-03-02T13:50:00+00:00"
    assert recording.file.open("rb").read() == _Provider.audio
    assert TicketEvent.objects.filter(action="recording.stored", ticket=call.ticket).count() == 1
    credentials = "Basic " + base64.b64encode(b"AC0001:test-auth-token").decode()
    assert _Provider.requests.count(("/RE0001", credentials)) == 1


def test_a_second_worker_whose_lease_ran_out_leaves_the_first_download(twilio, provider, call):
    _signed_post(_callback(provider, sid="RE0003", path="/RE0003"))
    recording = Recording.objects.get()
    actions._download(recording.pk)
    actions._download(recording.pk)  # the same row, fetched again by a worker that claimed it before
    recording.refresh_from_db()
    folder = os.path.dirname(recording.file.path)
    copies = [name for name in os.listdir(folder) if name.startswith("RE0003")]
    assert copies == [os.path.basename(recording.file.path)]
    assert TicketEvent.objects.filter(action="recording.stored").count() == 1


def test_a_failed_download_is_retried_later_then_marked_failed(twilio, provider, call, settings):
    settings.RECORDING_DOWNLOAD_ATTEMPTS = 2
    _signed_post(_callback(provider, sid="RE0002", path="/missing"))
    with clock.frozen_at(clock.now()):
        assert actions.download_due() == 1
        recording = Recording.objects.get()
        assert recording.status == "downloading" and recording.attempts == 1 and "404" in recording.last_error
        assert actions.download_due() == 0  # not due before the retry
        clock.advance(timedelta(minutes=2))
        actions.download_due()
    recording.refresh_from_db()
    assert recording.status == "failed"
    assert TicketEvent.objects.filter(action="recording.download_failed").count() == 1


def test_a_forged_signature_is_refused_and_queues_nothing(twilio, provider, call):
    assert _signed_post(_callback(provider), token="not-the-token").status_code == 403
    unsigned = Client().post(STATUS_PATH, _callback(provider))
    assert unsigned.status_code == 403 and not Recording.objects.exists()


def test_retention_deletes_the_audio_and_keeps_the_row(frozen_clock, call, settings, api,
                                                       django_capture_on_commit_callbacks):
    settings.RECORDING_RETENTION_DAYS = 730
    old, recent = _recording(call, 731), _recording(call, 10)
    path = old.file.path
    with django_capture_on_commit_callbacks(execute=True):
        assert dict(worker.jobs())["recording retention"]() == 1
    old.refresh_from_db()
    assert old.status == "deleted" and old.deleted_at == clock.now() and not old.file
    assert not os.path.exists(path)
    recent.refresh_from_db()
    assert recent.status == "stored"
    assert TicketEvent.objects.get(action="recording.deleted").after["recording"] == old.pk
    specialist_view = _content(api, old)
    assert specialist_view.status_code == 403  # older than 90 days for an Agent, before it is even looked for


def test_a_recording_url_on_another_host_is_refused_and_nothing_is_fetched(twilio, settings, call):
    settings.RECORDING_SOURCE_HOSTS = ["api.twilio.com"]
    for url in ("https://attacker.example.com/RE0001", "http://api.twilio.com/RE0001", "http://127.0.0.1:9/RE0001"):
        response = _signed_post({**_callback(""), "RecordingUrl": url})
        assert_problem(response, 422, "RecordingUrl")
    assert not Recording.objects.exists()
    assert source_allowed("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0001")
