"""Normalisation of contact data: emails lower-cased and validated, phones to E.164 with `phonenumbers`."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from caredesk.core.errors import ValidationFailed

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit, and the width of ContactPoint.value


def normalize_email(value: str, *, field: str = "email") -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed("An email address is required.", field=field)
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationFailed(f"An email address has at most {MAX_EMAIL_LENGTH} characters.", field=field)
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationFailed(f"{value!r} is not a valid email address.", field=field) from None
    return value.lower()


def normalize_phone(value: str, *, field: str = "phone", region: str | None = None) -> str:
    """E.164 form of `value`; a number without a country code is read in the team's default region."""
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("A phone number is required.", field=field)
    try:
        number = phonenumbers.parse(text, region or settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationFailed(f"{text!r} is not a phone number.", field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed(f"{text!r} is not a valid phone number.", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_phone_numbers(text: str, *, region: str | None = None, limit: int = 5) -> list[str]:
    """Valid phone numbers written inside free text (an email body), in E.164, first seen first."""
    found: list[str] = []
    matcher = phonenumbers.PhoneNumberMatcher(text or "", region or settings.DEFAULT_PHONE_REGION)
    for match in matcher:
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in found:
            found.append(e164)
        if len(found) >= limit:
            break
    return found


def display_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
