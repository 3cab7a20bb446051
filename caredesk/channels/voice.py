"""Calls through Twilio become call interactions with their outcome; voicemails land on the caller's ticket.

An inbound call rings CAREDESK_VOICE_FORWARD_TO (TwiML <Dial>) and falls back to voicemail; without a forward
number it goes straight to voicemail. Each call is recorded once, by its CallSid, with the first final
outcome caredesk learns; a recording once by its RecordingSid.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from twilio.twiml.voice_response import VoiceResponse

from caredesk.channels import phone
from caredesk.channels.config import recording_status_url
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.tickets.actions import add_interaction
from caredesk.tickets.models import Channel, Interaction

Outcome = Interaction.CallOutcome
# Twilio's final CallStatus values, for calls the customer made (inbound) and calls made to them (outbound).
INBOUND_OUTCOMES = {"completed": Outcome.ABANDONED, "canceled": Outcome.ABANDONED, "busy": Outcome.MISSED,
                    "no-answer": Outcome.MISSED, "failed": Outcome.MISSED}
OUTBOUND_OUTCOMES = {"completed": Outcome.ANSWERED, "busy": Outcome.BUSY, "no-answer": Outcome.NO_ANSWER,
                     "failed": Outcome.FAILED, "canceled": Outcome.CANCELED}
# DialCallStatus: how the forwarded leg of an inbound call ended.
DIAL_OUTCOMES = {"completed": Outcome.ANSWERED, "answered": Outcome.ANSWERED, "canceled": Outcome.ABANDONED,
                 "busy": Outcome.MISSED, "no-answer": Outcome.MISSED, "failed": Outcome.MISSED}
VOICEMAIL_PROMPT = "Sorry, we cannot take your call right now. Please leave a message after the tone."


def is_inbound(direction: str) -> bool:
    return direction == "inbound"


def call_outcome(*, direction: str, call_status: str) -> str | None:
    """The outcome of a call from its final CallStatus; None while the call is not over.

    An inbound call that ended without caredesk recording an answer was abandoned by the caller
    (completed or canceled) or missed (busy, no answer, failed).
    """
    return (INBOUND_OUTCOMES if is_inbound(direction) else OUTBOUND_OUTCOMES).get(call_status)


def record_call(*, call_sid: str, direction: str, from_number: str, to_number: str, outcome: str,
                duration_seconds: int = 0, status: str = "") -> Interaction:
    """The call's timeline entry, written once per CallSid; a later report of the same call returns it."""
    if not call_sid:
        raise ValidationFailed("A call needs the provider's call id.", field="CallSid")
    inbound = is_inbound(direction)
    customer_number = from_number if inbound else to_number

    def write(customer):
        subject = f"Call from {customer.name}" if inbound else f"Call to {customer.name}"
        ticket = phone.ticket_for(customer, subject=subject, channel=Channel.PHONE)
        return add_interaction(
            ticket, actor=Actor.customer(customer.name) if inbound else Actor.system("twilio"),
            channel=Channel.PHONE, direction=Interaction.Direction.INBOUND if inbound else Interaction.Direction.OUTBOUND,
            kind=Interaction.Kind.CALL, call_outcome=outcome, author_customer=customer if inbound else None,
            external_id=call_sid, details={"provider": "twilio", "call_sid": call_sid, "from": from_number,
                                           "to": to_number, "duration_seconds": duration_seconds, "status": status},
        )

    return _once(call_sid, customer_number, write, field="From" if inbound else "To")


def record_voicemail(*, recording_sid: str, call_sid: str, from_number: str, recording_url: str,
                     duration_seconds: int, transcription: str = "") -> Interaction:
    """A voicemail on the caller's open ticket (or a new one): a call on the voicemail channel."""
    if not recording_sid:
        raise ValidationFailed("A recording needs the provider's recording id.", field="RecordingSid")

    def write(customer):
        ticket = phone.ticket_for(customer, subject=f"Voicemail from {customer.name}", channel=Channel.VOICEMAIL)
        return add_interaction(
            ticket, actor=Actor.customer(customer.name), channel=Channel.VOICEMAIL,
            direction=Interaction.Direction.INBOUND, kind=Interaction.Kind.CALL, call_outcome=Outcome.VOICEMAIL_LEFT,
            author_customer=customer, external_id=recording_sid,
            body=transcription or f"Voicemail, {duration_seconds} seconds.",
            details={"provider": "twilio", "call_sid": call_sid, "recording_sid": recording_sid,
                     "recording_url": recording_url, "duration_seconds": duration_seconds,
                     "transcription": transcription or None, "from": from_number},
        )

    return _once(recording_sid, from_number, write, field="From")


def record_transcription(*, transcription_sid: str, recording_sid: str, text: str) -> Interaction | None:
    """A transcription that arrives after its voicemail: an internal note beside it. None if the voicemail is unknown."""
    voicemail = Interaction.objects.select_related("ticket").filter(external_id=recording_sid).first()
    if voicemail is None or not text.strip() or not transcription_sid:
        return None
    existing = Interaction.objects.filter(external_id=transcription_sid).first()
    if existing is not None:
        return existing
    return add_interaction(
        voicemail.ticket, actor=Actor.system("twilio"), channel=Channel.INTERNAL,
        direction=Interaction.Direction.INTERNAL, kind=Interaction.Kind.NOTE, external_id=transcription_sid,
        body=f"Voicemail transcription: {text.strip()}",
        details={"provider": "twilio", "recording_sid": recording_sid, "voicemail": voicemail.pk,
                 "transcription": text.strip()},
    )


def _once(external_id: str, number: str, write, *, field: str) -> Interaction:
    existing = Interaction.objects.filter(external_id=external_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return write(phone.customer_for_number(number, field=field))
    except IntegrityError:  # the same webhook delivered twice at once
        existing = Interaction.objects.filter(external_id=external_id).first()
        if existing is None:
            raise
        return existing


# TwiML


def voicemail_twiml(recording_action: str, transcription_callback: str) -> str:
    response = VoiceResponse()
    response.say(VOICEMAIL_PROMPT)
    response.record(action=recording_action, max_length=180, play_beep=True, transcribe=True,
                    transcribe_callback=transcription_callback, recording_status_callback=recording_status_url(),
                    recording_status_callback_event="completed")
    return str(response)


def forward_twiml(number: str, dial_action: str) -> str:
    response = VoiceResponse()
    response.dial(number, action=dial_action, timeout=20)
    return str(response)


def goodbye_twiml(text: str = "") -> str:
    response = VoiceResponse()
    if text:
        response.say(text)
    response.hangup()
    return str(response)
