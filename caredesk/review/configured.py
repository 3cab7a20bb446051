"""The matcher of the configured sensitive-issues file (CAREDESK_SENSITIVE_ISSUES_FILE or the shipped
default), loaded once per process."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from caredesk.review import sensitive_issues
from caredesk.review.matcher import Matcher


@lru_cache(maxsize=4)
def _matcher(path: str | None) -> Matcher:
    try:
        return sensitive_issues.load(path)
    except sensitive_issues.SensitiveIssuesError as error:
        raise ImproperlyConfigured(f"CAREDESK_SENSITIVE_ISSUES_FILE: {error}") from error


def matcher() -> Matcher:
    return _matcher(getattr(settings, "SENSITIVE_ISSUES_FILE", None) or None)
