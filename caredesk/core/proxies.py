"""The client's address and scheme when caredesk runs behind reverse proxies (CAREDESK_TRUSTED_PROXIES).

A proxy appends the address it received a request from to X-Forwarded-For. Reading the list from the right,
every entry a trusted proxy wrote is believed, and the first address that is not a trusted proxy is the
client: whatever a client wrote further left is its own claim and is ignored. Requests that do not come from
a trusted proxy keep their peer address, whatever headers they carry.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address) -> bool:
    return address is not None and any(address in network for network in settings.TRUSTED_PROXIES)


def forwarded_client(peer: str, forwarded_for: str) -> str:
    """The client address for a request from `peer` carrying `X-Forwarded-For: forwarded_for`."""
    client = peer
    if not is_trusted_proxy(_address(peer)):
        return client
    for entry in reversed([entry for entry in forwarded_for.split(",") if entry.strip()]):
        address = _address(entry)
        if address is None:  # a garbled entry: the last trusted hop is the best we know
            return client
        client = str(address)
        if not is_trusted_proxy(address):
            return client
    return client


class TrustedProxyMiddleware:
    """Puts the client's address in REMOTE_ADDR and the scheme the client used in wsgi.url_scheme, for requests
    relayed by a trusted proxy, so sign-in lockouts, logs, secure cookies and HSTS see the real client.
    First in the middleware: everything after it reads the request as the client sent it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR", "")
        if settings.TRUSTED_PROXIES and is_trusted_proxy(_address(peer)):
            request.META["REMOTE_ADDR"] = forwarded_client(peer, request.META.get("HTTP_X_FORWARDED_FOR", ""))
            scheme = request.META.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if scheme in {"http", "https"}:
                request.META["wsgi.url_scheme"] = scheme
        return self.get_response(request)
