"""Twilio's warm-transfer callbacks (TwiML) on a real `caredesk serve` on SQLite, beside GET /api/v1/health.

Target (issue 11): TwiML callbacks answer within 100 ms p99 (Twilio waits 15 s at most). Measured at a steady
rate (open loop, latency from the scheduled time): the rung's TwiML (`rung/`, read only), and an unanswered
rung moving the ladder on (`rung-ended/`, one escalation each: the row locked, the next rung decided, its
audit events and ringing agents written). Every request is signed as Twilio signs it.

    .venv/bin/python -m benchmarks.twiml_callbacks [--duration 10] [--rate 50] [--escalations 600]
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.parse
import urllib.request

from twilio.request_validator import RequestValidator

from benchmarks.harness import open_loop, prepared_home, request_bytes, run_cli, running_server

PUBLIC_URL = "https://desk.example.com"
AUTH_TOKEN = "benchmark-auth-token"


def api(port: int, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", method=method,
                                     data=json.dumps(body or {}).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        return json.loads(urllib.request.urlopen(request).read())
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {path}: {error.code} {error.read().decode()[:500]}") from None


def signed_form(path: str, params: dict) -> bytes:
    """A POST as Twilio sends it: form-encoded, with X-Twilio-Signature for PUBLIC_URL + path."""
    body = urllib.parse.urlencode(params).encode()
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path, params)
    head = [f"POST {path} HTTP/1.1", "Host: desk.example.com", "Connection: keep-alive",
            "Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}",
            f"X-Twilio-Signature: {signature}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def ringing_escalations(port: int, env: dict, token: str, count: int) -> list[int]:
    """`count` tickets whose customer refused to wait, each ringing the first rung (two available specialists
    and a supervisor with the transfer skill)."""
    for username, role in (("sam", "Resolution Specialist"), ("rita", "Resolution Specialist"),
                           ("tess", "Team Supervisor")):
        run_cli(env, "agent", "add", username, "--role", role, "--skill", "Resolution Lead", "--password",
                "benchmark-password")
        api(port, run_cli(env, "token", "create", username), "PUT", "/agents/me/presence", {"presence": "available"})
    customer = api(port, token, "POST", "/customers", {"name": "Irate Customer", "emails": ["irate@example.com"]})
    escalations = []
    for index in range(count):
        ticket = api(port, token, "POST", "/tickets", {"subject": f"Escalation {index}", "requester_id": customer["id"],
                                                   "description": "The customer wants a manager."})
        escalation = api(port, token, "POST", f"/tickets/{ticket['id']}/escalations", {"reason": "A manager, now."})
        api(port, token, "POST", f"/escalations/{escalation['id']}/choice", {"choice": "refused_to_wait"})
        escalations.append(escalation["id"])
    return escalations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each steady load")
    parser.add_argument("--rate", type=float, default=50.0, help="callbacks a second (Twilio's pace is far lower)")
    parser.add_argument("--escalations", type=int, default=600, help="ringing escalations to move on")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    options = parser.parse_args()
    needed = int(options.rate * options.duration)
    if options.escalations < needed:
        raise SystemExit(f"--escalations must be at least rate x duration ({needed}): each rung-ended moves one")

    with prepared_home() as (home, env, token):
        env.update(CAREDESK_PUBLIC_URL=PUBLIC_URL, CAREDESK_TWILIO_AUTH_TOKEN=AUTH_TOKEN)
        with running_server(env, workers=options.workers) as server:
            port = server.port
            escalations = ringing_escalations(port, env, token, options.escalations)
            health = request_bytes("GET", "/api/v1/health", None)

            def rung(index, sequence):
                return signed_form(f"/channels/twilio/escalations/{escalations[sequence % len(escalations)]}/rung/",
                                   {"CallSid": "CA0001"})

            def rung_ended(index, sequence):
                path = f"/channels/twilio/escalations/{escalations[sequence]}/rung-ended/?rung=1"
                return signed_form(path, {"CallSid": "CA0001", "DialCallStatus": "no-answer"})

            def measured(make_request):
                """The steady load's result, and the server's CPU milliseconds per request during it."""
                cpu_before = server.cpu_seconds()
                result = open_loop(port, make_request, rate=options.rate, duration=options.duration, connections=8)
                return result, (server.cpu_seconds() - cpu_before) * 1000 / max(1, len(result.latencies))

            open_loop(port, lambda i, s: health, rate=options.rate, duration=2, connections=8)  # warm up
            baseline, baseline_cpu = measured(lambda i, s: health)
            twiml, twiml_cpu = measured(rung)
            moved, moved_cpu = measured(rung_ended)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (the machine may be shared)")
    for name, result, cpu in (("baseline    GET /health     ", baseline, baseline_cpu),
                              ("TwiML       POST rung/      ", twiml, twiml_cpu),
                              ("ladder move POST rung-ended/", moved, moved_cpu)):
        print(f"{name} @{options.rate:.0f}/s : {result.summary()}; server CPU {cpu:.1f} ms a request")
    for name, result in (("rung/", twiml), ("rung-ended/", moved)):
        print(f"{name:<12} p99 {result.percentile(99):.1f} ms = {result.percentile(99) / baseline.percentile(99):.1f}x "
              f"the baseline's p99; target p99 < 100 ms: {'met' if result.percentile(99) < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
