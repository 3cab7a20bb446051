"""The signed links of survey emails: `/survey/<token>/` where the token names the survey and the answer the
customer clicked. The signature stops tampering; expiry is the survey's own `expires_at`, read on the one
clock, so a test can move time."""

from __future__ import annotations

from django.conf import settings
from itsdangerous import BadSignature, URLSafeSerializer

CSAT, NPS = "csat", "nps"


class BadLink(Exception):
    """The link was changed or was never ours."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(settings.SECRET_KEY, salt="caredesk.surveys")


def token(kind: str, survey_id: int, answer: str | int) -> str:
    return _serializer().dumps([kind, survey_id, answer])


def read(value: str) -> tuple[str, int, str | int]:
    try:
        kind, survey_id, answer = _serializer().loads(value)
    except (BadSignature, ValueError, TypeError):
        raise BadLink("This link is not valid: it was changed or cut short.") from None
    if kind not in (CSAT, NPS) or not isinstance(survey_id, int):
        raise BadLink("This link is not valid.")
    return kind, survey_id, answer


def url(kind: str, survey_id: int, answer: str | int) -> str:
    return f"{settings.PUBLIC_URL}/survey/{token(kind, survey_id, answer)}/"
