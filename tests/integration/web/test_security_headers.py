"""Response headers: a strict Content-Security-Policy everywhere, HSTS only on HTTPS as a trusted proxy says."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client

STRICT = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
          "base-uri": "'none'", "frame-ancestors": "'none'", "form-action": "'self'", "media-src": "'self'"}


def directives(policy: str) -> dict:
    return {name: value for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


@pytest.mark.parametrize("path", ["/login/", "/api/v1/health/live", "/api/v1/openapi.json"])
def test_every_response_carries_a_strict_policy(db, path):
    response = Client().get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert {name: policy.get(name) for name in STRICT} == STRICT
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_workspace_pages_have_no_inline_script_or_style(signed_in, ticket):
    """What the policy would block: inline <script> code, <style> elements and style attributes (a JSON data
    block is not code)."""
    for path in ["/", f"/tickets/{ticket.pk}/", "/views/", "/tickets/new/"]:
        html = signed_in.get(path).content.decode()
        assert "<style" not in html and " style=" not in html, path
        for tag in html.split("<script")[1:]:
            opening = tag.split(">")[0]
            assert " src=" in opening or 'type="application/json"' in opening, (path, tag[:80])


@pytest.fixture
def over_https(settings):
    settings.SECURE_HSTS_SECONDS = 31536000  # what CAREDESK_HTTPS=1 sets
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.1")]


def test_hsts_when_a_trusted_proxy_says_https(db, over_https):
    response = Client().get("/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_no_hsts_over_plain_http_or_on_an_untrusted_claim(db, over_https):
    assert "Strict-Transport-Security" not in Client().get("/login/", REMOTE_ADDR="10.0.0.1")
    forged = Client().get("/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in forged


def test_no_template_needs_eval_or_inline_code():
    """htmx event filters (hx-trigger="event[condition]"), hx-on and js: values run through eval, which the
    policy forbids (and htmx is configured not to attempt); inline styles and scripts are blocked."""
    import re
    from pathlib import Path

    import caredesk.web

    forbidden = re.compile(r'hx-trigger="[^"]*\[|hx-on|hx-vals=.js:|hx-vars|\sstyle=|<style|<script>')
    for template in Path(caredesk.web.__file__).parent.joinpath("templates").rglob("*.html"):
        assert not forbidden.search(template.read_text()), template
