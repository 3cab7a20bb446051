"""The SMS provider interface, its `console` and `twilio` implementations, and Twilio request signatures.

`console` (the default) sends nothing: the outbox row records what would have gone out, and the log shows it.
Voice webhooks speak Twilio's format (TwiML); see webhooks.py and voice.py.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator

logger = logging.getLogger("caredesk.channels.sms")


class DeliveryFailed(Exception):
    """A message did not go out. `permanent` ones are not retried (an invalid number, a refused address)."""

    def __init__(self, reason: str, *, permanent: bool):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class SmsProvider(Protocol):
    name: str

    def send_sms(self, *, to: str, body: str, status_callback: str | None) -> str:
        """Send one text; returns the provider's id for it. Raises DeliveryFailed."""


class ConsoleProvider:
    name = "console"

    def send_sms(self, *, to: str, body: str, status_callback: str | None) -> str:
        logger.info("console SMS (not sent) to %s: %s", to, body)
        return f"console-{uuid.uuid4().hex}"


class TwilioProvider:
    name = "twilio"

    def __init__(self, *, account_sid: str, auth_token: str, from_number: str):
        from twilio.rest import Client

        self.client = Client(account_sid, auth_token)
        self.from_number = from_number

    def send_sms(self, *, to: str, body: str, status_callback: str | None) -> str:
        try:
            message = self.client.messages.create(to=to, from_=self.from_number, body=body,
                                                  status_callback=status_callback)
        except TwilioRestException as error:
            permanent = 400 <= (error.status or 0) < 500 and error.status != 429
            raise DeliveryFailed(f"Twilio refused the message ({error.status}): {error.msg}", permanent=permanent)
        except (TwilioException, OSError) as error:
            raise DeliveryFailed(f"Twilio could not be reached: {error}", permanent=False)
        return message.sid


def sms_provider() -> SmsProvider:
    if settings.SMS_PROVIDER == "console":
        return ConsoleProvider()
    if settings.SMS_PROVIDER == "twilio":
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")
                   if not getattr(settings, name)]
        if missing:
            raise ImproperlyConfigured(f"CAREDESK_SMS_PROVIDER=twilio needs CAREDESK_{missing[0]}")
        return TwilioProvider(account_sid=settings.TWILIO_ACCOUNT_SID, auth_token=settings.TWILIO_AUTH_TOKEN,
                              from_number=settings.TWILIO_FROM_NUMBER)
    raise ImproperlyConfigured(f"CAREDESK_SMS_PROVIDER must be console or twilio, not {settings.SMS_PROVIDER!r}")


def twilio_signature_is_valid(url: str, params: dict, signature: str | None) -> bool:
    """Whether `signature` (X-Twilio-Signature) signs this request. False without a configured auth token."""
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)
