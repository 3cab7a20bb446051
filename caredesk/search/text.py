"""Pure rules of what is indexed and how a query is read (no database)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# A phone number as people write it: 7 to 15 digits, with spaces, dots, dashes, slashes or parentheses
# between them and an optional leading "+".
PHONE = re.compile(r"(?<![\w+\-])\+?\(?\d(?:[\d\s().\-/]{5,22})\d(?![\w\-])")
DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 7, 15
WORD = re.compile(r"\w+", re.UNICODE)
QUERY_TERM = re.compile(r'"([^"]*)"|(\S+)')
MAX_QUERY = 200


def phone_forms(digits: str) -> list[str]:
    """The digit strings a phone number is found by: all its digits, its last ten (the number without a
    one-digit country code such as the US "1") and its last seven (the local number)."""
    forms = [digits]
    for tail in (10, 7):
        if len(digits) > tail:
            forms.append(digits[-tail:])
    return forms


def phone_digits(text: str) -> list[str]:
    """The digits of each phone-like number written in `text`, first seen first."""
    found: list[str] = []
    for match in PHONE.finditer(text or ""):
        if DATE.fullmatch(match.group().strip()):
            continue
        digits = re.sub(r"\D", "", match.group())
        if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS and digits not in found:
            found.append(digits)
    return found


def email_parts(value: str) -> list[str]:
    """An email address and the parts people search it by: the local part and the domain."""
    value = value.strip().lower()
    if "@" not in value:
        return [value]
    local, _, domain = value.partition("@")
    return [value, local, domain, *WORD.findall(local)]


def keys_for(texts: Iterable[str], identifiers: Iterable[str]) -> str:
    """The `keys` column: identifiers (emails with their parts) and the digit forms of every phone number in
    the identifiers and in the texts, space separated, each once."""
    keys: list[str] = []
    for identifier in identifiers:
        keys += email_parts(identifier) if "@" in identifier else [identifier.lower()]
    for text in [*identifiers, *texts]:
        for digits in phone_digits(text):
            keys += phone_forms(digits)
    return " ".join(dict.fromkeys(key for key in keys if key))


def ids_for(identifiers: Iterable[str]) -> str:
    """The `ids` column (substring search): identifiers in lower case, with phone numbers also as digits."""
    values: list[str] = []
    for identifier in identifiers:
        values.append(identifier.lower())
        values += phone_digits(identifier)
    return " | ".join(dict.fromkeys(value for value in values if value))


def substring_key(value: str) -> str:
    """What the trigram index is asked for when searching identifiers for `value`: the longest run of letters
    and digits of its local part for an email ("smith14825" of "kimberly.smith14825@example.com"), of the
    whole otherwise, when that leaves something out; else `value`. An email's domain and punctuation are in
    a large share of all identifiers: their trigrams are the longest lists to read, and add little."""
    local = value.split("@", 1)[0] if "@" in value[1:] else value
    longest = max(WORD.findall(local), key=len, default="")
    return longest if len(longest) >= 3 and longest != value else value


@dataclass(frozen=True)
class Query:
    """A query as typed, read: `terms` (words and "quoted phrases", each a list of words), or the digits
    of a phone number, and whether substring search applies."""

    text: str
    phrases: list[list[str]] = field(default_factory=list)
    phone: str = ""
    substring: str = ""

    @property
    def phone_forms(self) -> list[str]:
        """What a phone query matches: its digits, and its last ten when it has a country code."""
        return [self.phone, self.phone[-10:]] if len(self.phone) > 10 else [self.phone] if self.phone else []

    @property
    def empty(self) -> bool:
        return not self.phrases and not self.phone and not self.substring


def parse(text: str) -> Query:
    """Read a query. A query that is a phone number (7-15 digits in any format, nothing else) searches by
    its digits; a single term of 3+ characters is also searched as a substring of identifiers (names,
    emails, phone numbers, order references); words and quoted phrases are all required."""
    text = (text or "").strip()[:MAX_QUERY]
    stripped = text.lstrip("#")
    digits = re.sub(r"\D", "", stripped)
    if (MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS and not re.search(r"[^\d\s().\-/+]", stripped)
            and phone_digits(stripped) == [digits]):
        return Query(text=text, phone=digits, substring=digits)
    phrases = []
    for quoted, bare in QUERY_TERM.findall(text):
        words = [word.lower() for word in WORD.findall(quoted if quoted else bare)]
        if words:
            phrases.append(words)
    substring = text.lower() if " " not in text and len(text) >= 3 else ""
    return Query(text=text, phrases=phrases, substring=substring)
