"""Signed links in messages to customers (itsdangerous): the confirmation page of a resolution, and the page
where a customer sets their preferred channel. A link carries an id and a signature; it expires."""

from __future__ import annotations

from django.conf import settings
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from caredesk.core import clock

CONFIRMATION = "caredesk.resolutions.confirmation"
PREFERENCES = "caredesk.resolutions.preferences"


class InvalidLink(Exception):
    """A link that was altered, made for something else, or expired."""


class _ClockSigner(TimestampSigner):
    """Signs and checks ages on caredesk's one clock."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.SECRET_KEY, salt=purpose, signer=_ClockSigner)


def sign(purpose: str, identifier: int) -> str:
    return _serializer(purpose).dumps(identifier)


def unsign(purpose: str, token: str) -> int:
    """The id a link of `purpose` carries; InvalidLink when it was altered or is older than
    CAREDESK_RESOLUTION_LINK_DAYS."""
    try:
        identifier = _serializer(purpose).loads(token, max_age=settings.RESOLUTION_LINK_DAYS * 86400)
    except BadSignature:  # SignatureExpired is one
        raise InvalidLink("This link is not valid any more.") from None
    if not isinstance(identifier, int) or isinstance(identifier, bool):
        raise InvalidLink("This link is not valid any more.")
    return identifier
