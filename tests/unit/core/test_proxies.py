"""Which address is the client's, given the peer and X-Forwarded-For (caredesk/core/proxies.py)."""

from __future__ import annotations

import ipaddress

import pytest

from caredesk.core.proxies import forwarded_client


@pytest.fixture(autouse=True)
def trusted(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]


@pytest.mark.parametrize(("peer", "forwarded_for", "client"), [
    ("198.51.100.7", "203.0.113.5", "198.51.100.7"),  # not a proxy: its header is ignored
    ("10.0.0.1", "203.0.113.5", "203.0.113.5"),
    ("10.0.0.1", "", "10.0.0.1"),
    ("10.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),  # two proxies in a row
    ("10.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # what the client prepended is not believed
    ("10.0.0.1", "10.9.9.9, 10.1.2.3", "10.9.9.9"),  # only proxies: the farthest one
    ("10.0.0.1", "203.0.113.5, garbage", "10.0.0.1"),  # a garbled hop: the last one vouched for
    ("2001:db8::1", " 2001:db8::2 , 2001:db9::5", "2001:db9::5"),
])
def test_the_client_is_the_first_untrusted_hop_from_the_right(peer, forwarded_for, client):
    assert forwarded_client(peer, forwarded_for) == client
