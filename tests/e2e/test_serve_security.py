"""A real `caredesk serve` behind a (simulated) TLS-terminating proxy: HSTS, secure cookies and the
Content-Security-Policy on its answers, the proxy's headers believed only from CAREDESK_TRUSTED_PROXIES, and
gunicorn's own refusals (a request line or headers over its limits) answered as problem+json."""

from __future__ import annotations

import http.client
import json
import subprocess
from contextlib import contextmanager

import pytest

from tests.e2e.channel_peers import CAREDESK, caredesk, caredesk_env, free_port, wait_for_port

pytestmark = pytest.mark.e2e


@contextmanager
def served(tmp_path, **settings: str):
    port = free_port()
    env = caredesk_env(tmp_path / "home", CAREDESK_HTTPS="1", **settings)
    caredesk(env, "init", "--no-input")
    server = subprocess.Popen([CAREDESK, "serve", "--port", str(port), "--workers", "1", "--no-background-worker"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, process=server)
        yield port
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


def get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_behind_a_trusted_proxy_https_answers_carry_hsts_and_secure_cookies(tmp_path):
    with served(tmp_path, CAREDESK_TRUSTED_PROXIES="127.0.0.1") as port:
        response = get(port, "/login/", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"})
        assert response.status == 200
        assert response.getheader("Strict-Transport-Security") == "max-age=31536000"
        assert "script-src 'self'" in response.getheader("Content-Security-Policy")
        cookies = response.headers.get_all("Set-Cookie")
        assert cookies and all("Secure" in cookie for cookie in cookies), cookies

        too_long = get(port, "/api/v1/tickets?search=" + "a" * 9000)
        assert too_long.status == 414
        assert too_long.getheader("Content-Type") == "application/problem+json"
        problem = json.loads(too_long.body)
        assert (problem["status"], problem["title"]) == (414, "URI Too Long") and problem["detail"]

        too_many = get(port, "/api/v1/health", {f"X-Filler-{index}": "x" for index in range(120)})
        assert too_many.status == 431 and json.loads(too_many.body)["status"] == 431


def test_an_untrusted_peer_cannot_claim_https(tmp_path):
    with served(tmp_path, CAREDESK_TRUSTED_PROXIES="10.9.9.9") as port:
        response = get(port, "/login/", {"X-Forwarded-Proto": "https"})
        assert response.status == 200
        assert response.getheader("Strict-Transport-Security") is None
