"""The phone half of a warm transfer: a provider interface, its `console` and `twilio` implementations, and the
TwiML each state of the ladder answers with.

`console` (the default, for the demo and the tests) places no call: the agents a rung rings answer, decline or
ignore it in the workspace or the API, and the worker times the rung out. `twilio` moves the customer's live
call (the escalation's `call_sid`) onto the ladder's TwiML: each rung is a `<Dial timeout=N action=...>` ringing
the rung's agents at once as Twilio Client identities (their usernames); an agent's leg that answers reports
it through a signed status callback, and the Dial's action says the rung went unanswered, so the ladder moves
on at once; past the last rung, `<Record>` with transcription takes the voicemail.
"""

from __future__ import annotations

import logging
from typing import Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioException
from twilio.twiml.voice_response import Dial, VoiceResponse

from caredesk.channels.config import recording_status_url, webhook_url

logger = logging.getLogger("caredesk.escalations.telephony")
VOICEMAIL_PROMPT = "Nobody is available right now. Please leave a message after the tone, and we will call you back."
WAIT_PROMPT = "Please hold while I connect you."


class TransferProvider(Protocol):
    name: str

    def start(self, escalation) -> None:
        """The ladder started for this escalation: put the customer's live call on it, if there is one."""


class ConsoleProvider:
    name = "console"

    def start(self, escalation) -> None:
        logger.info("console transfer (no call placed) for escalation %s: the workspace rings the agents",
                    escalation.pk)


class TwilioProvider:
    name = "twilio"

    def __init__(self, *, account_sid: str, auth_token: str):
        from twilio.rest import Client

        self.client = Client(account_sid, auth_token)

    def start(self, escalation) -> None:
        if not escalation.call_sid:
            logger.info("escalation %s has no live call: its transfer rings in the workspace only", escalation.pk)
            return
        try:
            self.client.calls(escalation.call_sid).update(url=url_for(escalation, "rung"), method="POST")
        except (TwilioException, OSError):
            logger.exception("could not move call %s onto the transfer of escalation %s",
                             escalation.call_sid, escalation.pk)


def transfer_provider() -> TransferProvider:
    if settings.TRANSFER_PROVIDER == "console":
        return ConsoleProvider()
    if settings.TRANSFER_PROVIDER == "twilio":
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(settings, name)]
        if missing:
            raise ImproperlyConfigured(f"CAREDESK_TRANSFER_PROVIDER=twilio needs CAREDESK_{missing[0]}")
        return TwilioProvider(account_sid=settings.TWILIO_ACCOUNT_SID, auth_token=settings.TWILIO_AUTH_TOKEN)
    raise ImproperlyConfigured(
        f"CAREDESK_TRANSFER_PROVIDER must be console or twilio, not {settings.TRANSFER_PROVIDER!r}")


def url_for(escalation, name: str, **query) -> str:
    """The public address of one of an escalation's TwiML callbacks, as Twilio calls (and signs) it."""
    suffix = f"?{urlencode(query)}" if query else ""
    return webhook_url(f"/channels/twilio/escalations/{escalation.pk}/{name}/{suffix}")


def ladder_twiml(escalation, ringing: list[str], answer_within_seconds: int | None) -> str:
    """What the customer's call does in the escalation's current state."""
    response = VoiceResponse()
    if escalation.status == escalation.Status.RINGING:
        response.say(WAIT_PROMPT)
        rung = (escalation.rung or 0) + 1
        dial = Dial(timeout=answer_within_seconds, action=url_for(escalation, "rung-ended", rung=rung))
        for username in ringing:
            dial.client(username, status_callback_event="answered",
                        status_callback=url_for(escalation, "answered", agent=username))
        response.append(dial)
    elif escalation.status == escalation.Status.VOICEMAIL and not escalation.voicemail_id:
        response.say(VOICEMAIL_PROMPT)
        response.record(action=url_for(escalation, "recording"), max_length=180, play_beep=True, transcribe=True,
                        transcribe_callback=url_for(escalation, "recording"),
                        recording_status_callback=recording_status_url(), recording_status_callback_event="completed")
    else:  # transferred, or the voicemail is in: the call is over
        response.hangup()
    return str(response)
