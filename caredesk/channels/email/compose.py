"""Build outbound messages: threading headers, the reply-to token, loop protection, no header injection."""

import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from email import policy, utils
from email.headerregistry import Address
from email.message import EmailMessage

from caredesk.channels.email.addresses import normalise_address

MAXIMUM_REFERENCES = 20
# Everything str.splitlines() breaks on, and NUL: any of them in a header value could start a new header.
_LINE_BREAK = re.compile(r"[\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_MESSAGE_ID = re.compile(r"^[^\s<>]+@[^\s<>@]+$")
_DOMAIN = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$", re.IGNORECASE)


class HeaderInjection(ValueError):
    """A header value contained a line break, which could smuggle in extra headers."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} contains a line break; refusing to build a header from it")
        self.field = field


class InvalidAddress(ValueError):
    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field} is not a valid email address: {value!r}")
        self.field = field


def make_message_id(domain: str) -> str:
    """A new, random Message-ID (without angle brackets) on `domain`; store it with the outbox row."""
    _refuse_line_breaks("domain", domain)
    if not _DOMAIN.match(domain):
        raise ValueError(f"invalid Message-ID domain {domain!r}")
    return f"{secrets.token_hex(16)}@{domain.lower()}"


def compose_message(
    *,
    from_address: str,
    to: Sequence[str],
    subject: str,
    text: str,
    message_id: str,
    date: datetime,
    from_name: str = "",
    cc: Sequence[str] = (),
    reply_to: str | None = None,
    thread: Sequence[str] = (),
    html: str | None = None,
    automatic: bool = False,
) -> EmailMessage:
    """An outbound message ready for smtplib.

    `thread` holds the Message-IDs of the earlier messages in the conversation, oldest first: the last
    becomes In-Reply-To and all of them References (the first and the latest ones when there are
    many). `automatic` marks notifications nobody typed (`Auto-Submitted: auto-generated`) and asks
    Exchange not to answer them; an agent's reply is not automatic.
    """
    for field, value in (("from_name", from_name), ("subject", subject)):
        _refuse_line_breaks(field, value)
    if date.tzinfo is None:
        raise ValueError("date must be timezone-aware")
    if not to:
        raise ValueError("to needs at least one address")
    message = EmailMessage(policy=policy.default)
    message["From"] = Address(display_name=from_name, addr_spec=_address("from_address", from_address))
    message["To"] = [Address(addr_spec=_address("to", address)) for address in to]
    if cc:
        message["Cc"] = [Address(addr_spec=_address("cc", address)) for address in cc]
    if reply_to is not None:
        message["Reply-To"] = Address(addr_spec=_address("reply_to", reply_to))
    message["Subject"] = subject
    message["Date"] = utils.format_datetime(date)
    message["Message-ID"] = f"<{_message_id('message_id', message_id)}>"
    references = [_message_id("thread", identifier) for identifier in thread]
    if references:
        message["In-Reply-To"] = f"<{references[-1]}>"
        if len(references) > MAXIMUM_REFERENCES:
            references = [references[0], *references[1 - MAXIMUM_REFERENCES :]]
        message["References"] = " ".join(f"<{identifier}>" for identifier in references)
    if automatic:
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _refuse_line_breaks(field: str, value: str) -> None:
    if _LINE_BREAK.search(value):
        raise HeaderInjection(field)


def _address(field: str, value: str) -> str:
    _refuse_line_breaks(field, value)
    address = normalise_address(value)
    if address is None or not address.isascii():
        raise InvalidAddress(field, value)
    return address


def _message_id(field: str, value: str) -> str:
    _refuse_line_breaks(field, value)
    if not _MESSAGE_ID.match(value) or not value.isascii():
        raise ValueError(f"{field} is not a Message-ID without angle brackets: {value!r}")
    return value
