"""Signed Twilio webhooks against a real `caredesk serve`: a text and a missed call land on the customer's
ticket; a forged signature gets 403. Requests are signed with Twilio's own RequestValidator."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest
from twilio.request_validator import RequestValidator

from tests.e2e.channel_peers import CAREDESK, caredesk, caredesk_env, free_port, wait_for_port

pytestmark = pytest.mark.e2e
TOKEN = "e2e-twilio-token"


def post(url: str, params: dict, *, signature: str | None) -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature:
        headers["X-Twilio-Signature"] = signature
    request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def api(base: str, path: str, token: str):
    request = urllib.request.Request(f"{base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_signed_webhooks_land_on_the_right_ticket(tmp_path):
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    env = caredesk_env(tmp_path / "home", CAREDESK_TWILIO_AUTH_TOKEN=TOKEN, CAREDESK_PUBLIC_URL=public)
    caredesk(env, "init", "--no-input")
    caredesk(env, "agent", "add", "maria", "--password", "long-enough-secret")
    token = caredesk(env, "token", "create", "maria").stdout.strip()
    server = subprocess.Popen([CAREDESK, "serve", "--port", str(port), "--workers", "1", "--no-background-worker"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, process=server)
        validator = RequestValidator(TOKEN)
        sms_url = f"{public}/channels/twilio/sms/"
        text = {"MessageSid": "SMe2e0001", "From": "+14155550132", "To": "+15005550006", "Body": "Any news?"}
        assert post(sms_url, text, signature=validator.compute_signature(sms_url, text)) == 200
        forged = {**text, "MessageSid": "SMe2e0002"}
        assert post(sms_url, forged, signature="forged") == 403
        assert post(sms_url, forged, signature=None) == 403

        status_url = f"{public}/channels/twilio/voice/status/"
        call = {"CallSid": "CAe2e0001", "CallStatus": "no-answer", "Direction": "inbound", "From": "+14155550132",
                "To": "+15005550006"}
        assert post(status_url, call, signature=validator.compute_signature(status_url, call)) == 204

        tickets = api(public, "/tickets", token)["items"]
        assert len(tickets) == 1 and tickets[0]["channel"] == "sms"
        timeline = api(public, f"/tickets/{tickets[0]['id']}/timeline", token)
        assert [(item["channel"], item["kind"], item["call_outcome"]) for item in timeline] == [
            ("sms", "message", ""), ("phone", "call", "missed")]
        assert timeline[0]["body"] == "Any news?" and timeline[1]["author_customer_id"] == tickets[0]["requester"]["id"]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output, output
