"""Pure rules of resolutions: which required fields a resolution lacks, which channel asks the customer to
confirm it, which composer tab a preferred channel opens, the week a moment counts in. No Django import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

# The fields a team can require, and what an agent who left one out is told.
REQUIRABLE_FIELDS = {
    "root_cause": "Choose the root cause.",
    "resolution_code": "Choose the resolution code.",
    "summary": "Write a short summary of the resolution.",
    "reference": "Give the knowledge-base article or the linked ticket the resolution reuses.",
}
# How an agent heard the customer confirm the resolution.
CONFIRMED_BY = {"phone": "Phone call", "email": "Email", "sms": "Text message", "chat": "Chat"}
# What the agent chooses about the confirmation when solving.
SEND, CONFIRMED, LATER = "send", "confirmed", "later"
CONFIRMATION_CHOICES = {
    SEND: "Send the customer a confirmation message on their preferred channel",
    CONFIRMED: "The customer has already confirmed it is fixed",
    LATER: "I will confirm with the customer myself",
}
# The composer tab each preferred channel opens on.
COMPOSER_TABS = {"email": "reply", "phone": "call", "sms": "text"}


def unknown_fields(names: Iterable[str]) -> list[str]:
    return sorted(set(names) - set(REQUIRABLE_FIELDS))


def missing_fields(required: Iterable[str], given: Mapping[str, bool]) -> list[str]:
    """The required fields `given` lacks, in REQUIRABLE_FIELDS' order (the form's)."""
    required = set(required)
    return [name for name in REQUIRABLE_FIELDS if name in required and not given.get(name)]


def confirmation_channel(preferred: str, *, has_email: bool, has_phone: bool) -> str | None:
    """The channel a confirmation message goes on: "email" or "sms".

    The customer's preferred channel when their contact data allows it (SOP 001: the channels come from the
    contact data); a customer who prefers the phone gets a text to that number, the written channel closest to
    a call. Without a preference, or without the contact data for it, email, then a text; None when the
    customer has neither."""
    reachable = {"email": has_email, "sms": has_phone}
    wanted = "sms" if preferred == "phone" else preferred
    if reachable.get(wanted):
        return wanted
    return next((channel for channel in ("email", "sms") if reachable[channel]), None)


def default_confirmation(preferred: str, *, has_email: bool, has_phone: bool) -> str:
    """What solving does about the confirmation when the agent does not say. SOP 004: "reach out to them through
    their preferred communication channel, such as phone": a customer who prefers the phone gets the agent's call
    (the confirmation is awaited from the agent); another gets a message on the channel confirmation_channel
    picks; one with no email address or phone number is the agent's to ask."""
    if preferred == "phone" and has_phone:
        return LATER
    return SEND if confirmation_channel(preferred, has_email=has_email, has_phone=has_phone) else LATER


def composer_tab(preferred: str, default: str = "reply") -> str:
    return COMPOSER_TABS.get(preferred, default)


def week_of(moment: datetime | date) -> date:
    """The Monday of the week `moment` falls in."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())
