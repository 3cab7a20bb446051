"""Email addresses and Message-IDs: validation and normal forms shared by parsing, tokens and compose."""

import re

MAXIMUM_ADDRESS_LENGTH = 254
_LOCAL_PART = re.compile(r"^[^\s@<>()\[\],;:\\\"\x00-\x1f\x7f]{1,64}$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[^\s@<>()\[\],;:\\\"\x00-\x1f\x7f.]{1,63}(?<!-)$")
_BRACKETED_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_BARE_MESSAGE_ID = re.compile(r"[^<>\s,;]+@[^<>\s,;]+")


def normalise_address(value: str) -> str | None:
    """The lower-cased address if `value` is a plausible `local@domain.tld` address, else None.

    Deliberately stricter than RFC 5322 (no quoted local parts, no IP literals, a dot in the domain):
    a helpdesk matches customers by address, and such addresses are typos or abuse far more often
    than real mailboxes.
    """
    address = value.strip().lower()
    if len(address) > MAXIMUM_ADDRESS_LENGTH or address.count("@") != 1:
        return None
    local_part, domain = address.split("@")
    labels = domain.split(".")
    if not _LOCAL_PART.match(local_part) or local_part.startswith(".") or local_part.endswith("."):
        return None
    if ".." in local_part or len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        return None
    return address


def normalise_message_id(value: str) -> str | None:
    """The first Message-ID in a header value, without angle brackets, or None."""
    identifiers = message_ids(value)
    return identifiers[0] if identifiers else None


def message_ids(value: str) -> list[str]:
    """All Message-IDs in a header value such as References, in order, without duplicates.

    Bracketed ids are preferred; a value without brackets (some clients) falls back to bare
    `left@right` tokens.
    """
    found = _BRACKETED_MESSAGE_ID.findall(value) or _BARE_MESSAGE_ID.findall(value)
    return list(dict.fromkeys(found))
