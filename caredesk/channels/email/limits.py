"""Bounds on the work a message may cost, checked on its raw bytes before any header is parsed.

The standard library's header parser (policy.default) uses memory that grows with the square of a header's
length when it is folded over thousands of RFC 2047 encoded words: 0.4 MB of Subject took 1.2 GB. So before
`parse_message` hands a header block to it, `check` walks the MIME structure with byte scans only (no header
is decoded) and answers the first limit the message goes over. Such a message is not parsed at all: `read_safely`
takes what can be read without the parser (the sender's address, the start of the subject).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.utils import parseaddr

from caredesk.channels.email import mime
from caredesk.channels.email.addresses import normalise_message_id

MAXIMUM_SAFE_SUBJECT_CHARACTERS = 200
_SAFE_HEADER_BYTES = 2000  # how much of a From or Subject header `read_safely` decodes
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_FIELD_START = re.compile(rb"^[^ \t\r\n]", re.MULTILINE)
_CONTENT_TYPE = re.compile(rb"^content-type[ \t]*:[ \t]*(?:\r?\n[ \t]+)*([!#-'*+.0-9A-Z^-~-]+/[!#-'*+.0-9A-Z^-~-]+)",
                           re.IGNORECASE | re.MULTILINE)
_BOUNDARY = re.compile(rb'boundary[ \t]*=[ \t]*(?:"([^"\r\n]{1,200})"|([^ \t;\r\n"]{1,200}))', re.IGNORECASE)


@dataclass(frozen=True)
class MailLimits:
    """What one message may hold. Each is a setting (CAREDESK_MAIL_MAX_*, see docs/configuration.md)."""

    header_bytes: int = 256 * 1024  # one header block (the message's, or one part's), folded lines included
    header_field_bytes: int = 64 * 1024  # one header field, folded lines included
    encoded_words: int = 1000  # RFC 2047 encoded words (=?charset?B?...?=) in one header field
    parts: int = 1000  # MIME parts, message/rfc822 ones and the parts inside them included
    depth: int = 20  # nesting of multipart and message/rfc822 parts


@dataclass(frozen=True)
class OverLimit:
    """The first limit a message goes over: `limit` names the setting's field, `detail` says where and by how much."""

    limit: str
    detail: str


class _Exceeded(Exception):
    def __init__(self, over: OverLimit) -> None:
        self.over = over


def check(raw: bytes, limits: MailLimits) -> OverLimit | None:
    """The first limit `raw` goes over, or None. Time and memory linear in the size of `raw` (times `depth`)."""
    walk = _Walk(raw, limits)
    try:
        walk.entity(0, len(raw), "", 0)
    except _Exceeded as exceeded:
        return exceeded.over
    return None


class _Walk:
    def __init__(self, raw: bytes, limits: MailLimits) -> None:
        self.raw = raw
        self.limits = limits
        self.parts = 0

    def over(self, limit: str, detail: str) -> None:
        raise _Exceeded(OverLimit(limit, detail))

    def entity(self, start: int, end: int, path: str, depth: int) -> None:
        """One MIME entity between `start` and `end` (its `path` numbered as IMAP does, "" for the message):
        its header block, then its body's parts."""
        self.parts += 1
        if self.parts > self.limits.parts:
            self.over("parts", f"more than {self.limits.parts} MIME parts")
        if depth > self.limits.depth:
            self.over("depth", f"MIME parts nested more than {self.limits.depth} deep")
        header_end, body_start = self.header_block(start, end, f"part {path}" if path else "the message")
        headers = self.raw[start:header_end]
        content_type = _CONTENT_TYPE.search(headers)
        kind = content_type.group(1).lower() if content_type else b"text/plain"
        if kind == b"message/rfc822":
            self.entity(body_start, end, f"{path}.1" if path else "1", depth + 1)
        elif kind.startswith(b"multipart/") and (boundary := _BOUNDARY.search(headers)):
            delimiter = boundary.group(1) or boundary.group(2)
            sections = mime.sections(self.raw, delimiter, body_start, end, path, [])
            for number, (section_start, section_end) in enumerate(sections, 1):
                self.entity(section_start, section_end, f"{path}.{number}" if path else str(number), depth + 1)

    def header_block(self, start: int, end: int, where: str) -> tuple[int, int]:
        """Where the header block at `start` ends and its body begins, once its fields are within the limits."""
        if self.raw.startswith((b"\n", b"\r\n"), start):
            return start, self.raw.index(b"\n", start) + 1
        search_end = min(end, start + self.limits.header_bytes + 4)
        blank_line = _BLANK_LINE.search(self.raw, start, search_end)
        if blank_line is None and search_end < end:
            self.over("header_bytes", f"{where}: header block longer than {self.limits.header_bytes} bytes")
        header_end, body_start = (blank_line.start(), blank_line.end()) if blank_line else (end, end)
        if header_end - start > self.limits.header_bytes:
            self.over("header_bytes", f"{where}: header block longer than {self.limits.header_bytes} bytes")
        field_starts = [found.start() for found in _FIELD_START.finditer(self.raw, start, header_end)]
        for field_start, field_end in zip(field_starts, field_starts[1:] + [header_end]):
            name = self.raw[field_start:self.raw.find(b":", field_start, field_end)][:60].decode("ascii", "replace")
            if field_end - field_start > self.limits.header_field_bytes:
                self.over("header_field_bytes",
                          f"{where}: header {name} longer than {self.limits.header_field_bytes} bytes")
            if self.raw.count(b"=?", field_start, field_end) > self.limits.encoded_words:
                self.over("encoded_words",
                          f"{where}: header {name} has more than {self.limits.encoded_words} encoded words")
        return header_end, body_start


@dataclass(frozen=True)
class SafeReading:
    """What a message over a limit shows without the full parser."""

    from_name: str
    from_address: str
    subject: str
    message_id: str | None


def read_safely(raw: bytes) -> SafeReading:
    """The sender and the start of the subject, each decoded from at most a few kilobytes of its header."""
    header_end = _BLANK_LINE.search(raw)
    headers = raw[:header_end.start() if header_end else len(raw)]
    name, address = parseaddr(_header_start(headers, b"from"))
    subject = " ".join(_header_start(headers, b"subject").split())
    if len(subject) > MAXIMUM_SAFE_SUBJECT_CHARACTERS:
        subject = subject[:MAXIMUM_SAFE_SUBJECT_CHARACTERS - 1].rstrip() + "…"
    identifier = normalise_message_id(_header_start(headers, b"message-id"))
    return SafeReading(from_name=name, from_address=address, subject=subject, message_id=identifier)


def _header_start(headers: bytes, name: bytes) -> str:
    """The first `_SAFE_HEADER_BYTES` of header `name`, unfolded and RFC 2047 decoded ("" if absent)."""
    found = re.search(rb"^" + name + rb"[ \t]*:", headers, re.IGNORECASE | re.MULTILINE)
    if found is None:
        return ""
    value = headers[found.end():found.end() + _SAFE_HEADER_BYTES]
    following = _FIELD_START.search(value, 1)
    value = value[:following.start()] if following else value
    text = " ".join(value.decode("utf-8", "replace").split())
    cut = text.rfind("=?")
    if cut != -1 and "?=" not in text[cut + 2:]:
        text = text[:cut]  # an encoded word cut in half by the byte limit
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # noqa: BLE001 - a damaged encoded word: show it as it is
        return text
