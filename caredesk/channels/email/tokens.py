"""Ticket references that make replies thread: a signed token in the reply-to address, a subject tag.

Outbound mail carries `Reply-To: support+t-1234-<signature>@example.com` and a subject such as
`Re: [#1234] Passport renewal`. The signature is an HMAC of the ticket number under a secret the
caller passes in, so nobody can post into another customer's ticket by writing to `support+t-1235-…`.
A subject tag can be typed by anyone, so it comes back marked weak: the caller should accept it only
when the sender is the ticket's customer. Message-ID threading is the caller's (it needs the database):
`thread_candidates` lists the ids to look up.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from caredesk.channels.email.addresses import normalise_address
from caredesk.channels.email.parsing import ParsedEmail

_SIGNATURE_LETTERS = 16  # base32, 80 bits; lower case survives mail systems that fold address case
_TOKEN = re.compile(r"\+t-(\d{1,18})-([a-z2-7]{16})@")
_SUBJECT_TAG = re.compile(r"\[#(\d{1,18})\]")
_REPLY_PREFIX = re.compile(r"^(?:re|aw|sv|vs|antw|odp|fw|fwd|wg|tr|rv)(?:\[\d+\])?\s*:\s*", re.IGNORECASE)


class ReferenceConfidence(StrEnum):
    SIGNED = "signed"
    SUBJECT = "subject"


@dataclass(frozen=True)
class TicketReference:
    ticket_number: int
    confidence: ReferenceConfidence


def _signature(ticket_number: int, secret: str | bytes) -> str:
    if not secret:
        raise ValueError("a secret is required to sign ticket tokens")
    if isinstance(ticket_number, bool) or not isinstance(ticket_number, int) or ticket_number <= 0:
        raise ValueError(f"ticket number must be a positive integer, not {ticket_number!r}")
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"caredesk ticket token:{ticket_number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:_SIGNATURE_LETTERS].lower()


def make_reply_to(base_address: str, ticket_number: int, secret: str | bytes) -> str:
    """`support@example.com` becomes `support+t-<ticket number>-<signature>@example.com`."""
    address = normalise_address(base_address)
    if address is None:
        raise ValueError(f"invalid base address {base_address!r}")
    local_part, domain = address.split("@")
    return f"{local_part}+t-{ticket_number}-{_signature(ticket_number, secret)}@{domain}"


def make_subject(subject: str, ticket_number: int) -> str:
    """The subject with exactly one `[#number]` tag, after at most one `Re: ` if it was a reply."""
    remaining = " ".join(subject.split())
    is_reply = False
    while True:
        prefix = _REPLY_PREFIX.match(remaining)
        tag = _SUBJECT_TAG.match(remaining)
        if not (prefix or tag):
            break
        is_reply = is_reply or bool(prefix)
        remaining = remaining[(prefix or tag).end() :].lstrip()
    remaining = " ".join(_SUBJECT_TAG.sub(" ", remaining).split())
    return " ".join(part for part in ("Re:" if is_reply else "", f"[#{ticket_number}]", remaining) if part)


def find_ticket_reference(
    parsed: ParsedEmail, secret: str | bytes, *, envelope_recipients: tuple[str, ...] = ()
) -> TicketReference | None:
    """The ticket a message refers to: a valid signed token in its recipients first, then a subject tag.

    Recipients are searched in To, Cc, Delivered-To / X-Original-To, then the SMTP envelope. A token
    whose signature does not verify is ignored.
    """
    for recipient in (*parsed.to, *parsed.cc, *parsed.delivered_to, *envelope_recipients):
        match = _TOKEN.search(recipient.lower())
        number = int(match[1]) if match else 0
        if number > 0 and hmac.compare_digest(match[2], _signature(number, secret)):
            return TicketReference(number, ReferenceConfidence.SIGNED)
    tag = _SUBJECT_TAG.search(parsed.subject)
    return TicketReference(int(tag[1]), ReferenceConfidence.SUBJECT) if tag else None


def thread_candidates(parsed: ParsedEmail) -> list[str]:
    """Message-IDs to look up for threading, most specific first: In-Reply-To, then References newest first."""
    candidates = [parsed.in_reply_to] if parsed.in_reply_to else []
    candidates.extend(reversed(parsed.references))
    return [identifier for identifier in dict.fromkeys(candidates) if identifier != parsed.message_id]
