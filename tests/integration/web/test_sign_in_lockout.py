"""Sign-in lockout: one username at one address, with the address read through trusted proxies only."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.1"


@pytest.fixture
def sam(make_agent):
    return make_agent("sam")


def sign_in(username: str, password: str, address: str, forwarded_for: str | None = None) -> int:
    extra = {"REMOTE_ADDR": address}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post("/login/", {"username": username, "password": password}, **extra).status_code


def fail_until_locked(settings, username: str, address: str, forwarded_for: str | None = None) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(username, "wrong-password", address, forwarded_for)
    assert sign_in(username, PASSWORD, address, forwarded_for) == 429


def test_a_locked_username_does_not_lock_colleagues_at_the_same_address(settings, agent, sam):
    fail_until_locked(settings, "maria", "198.51.100.7")
    assert sign_in("sam", PASSWORD, "198.51.100.7") == 302
    assert sign_in("maria", PASSWORD, "198.51.100.8") == 302  # maria herself, from another address


def test_behind_a_trusted_proxy_the_lockout_holds_the_client_not_the_proxy(settings, agent, sam):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]
    fail_until_locked(settings, "maria", PROXY, forwarded_for="203.0.113.5")
    assert sign_in("maria", PASSWORD, PROXY, forwarded_for="203.0.113.6") == 302
    assert sign_in("sam", PASSWORD, PROXY, forwarded_for="203.0.113.5") == 302


def test_a_client_cannot_escape_a_lockout_by_forging_x_forwarded_for(settings, agent):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]
    fail_until_locked(settings, "maria", "198.51.100.7")
    assert sign_in("maria", PASSWORD, "198.51.100.7", forwarded_for="203.0.113.99") == 429
    # Through the proxy, an address the client prepended is its own claim: the proxy appended the real one.
    fail_until_locked(settings, "maria", PROXY, forwarded_for="203.0.113.5")
    assert sign_in("maria", PASSWORD, PROXY, forwarded_for="203.0.113.42, 203.0.113.5") == 429
