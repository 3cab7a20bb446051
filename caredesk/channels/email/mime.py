"""Walk the MIME tree of a raw message without copying its bodies.

The standard library parses every header block (RFC 2047, RFC 2231, address lists), but its feed parser
holds each body as a list of lines and then joins them, which costs about 2.7 times the message size for
a large attachment, and `get_payload(decode=True)` several times more. Here a body stays a pair of
offsets into the raw bytes until it is decoded, once, straight from those bytes.
"""

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

MAXIMUM_DEPTH = 20
MAXIMUM_PARTS = 500
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:|[ \t]")
_HEADER_PARSER = BytesParser(policy=policy.default)
_BASE64_ALPHABET = re.compile(rb"[^A-Za-z0-9+/]")


@dataclass(frozen=True)
class Part:
    """A leaf of the MIME tree: its parsed headers and where its encoded body lies in the raw message."""

    path: str
    headers: EmailMessage
    raw: bytes
    start: int
    end: int

    @property
    def transfer_encoding(self) -> str:
        return str(self.headers.get("content-transfer-encoding", "7bit")).strip().lower()

    def estimated_size(self) -> int:
        """The decoded size, exact for base64 bodies with clean padding, without decoding."""
        if self.transfer_encoding != "base64":
            return self.end - self.start
        line_breaks = self.raw.count(b"\n", self.start, self.end) + self.raw.count(b"\r", self.start, self.end)
        padding = self.raw.count(b"=", max(self.start, self.end - 4), self.end)
        return max(0, (self.end - self.start - line_breaks) * 3 // 4 - padding)

    def decode(self, defects: list[str]) -> bytes:
        """The body with its Content-Transfer-Encoding undone; damage is repaired and reported."""
        body = memoryview(self.raw)[self.start : self.end]
        if self.transfer_encoding == "base64":
            try:
                return binascii.a2b_base64(body)
            except binascii.Error as error:
                defects.append(f"part {self.path or 'body'}: bad base64 ({error}), decoded what was readable")
                return _decode_damaged_base64(body)
        if self.transfer_encoding == "quoted-printable":
            return binascii.a2b_qp(body)
        if self.transfer_encoding not in {"7bit", "8bit", "binary"}:
            defects.append(f"part {self.path or 'body'}: unknown transfer encoding {self.transfer_encoding!r}")
        return bytes(body)


def _decode_damaged_base64(body: memoryview) -> bytes:
    """Keep only base64 letters, drop a dangling one and pad to a multiple of four."""
    letters = _BASE64_ALPHABET.sub(b"", body)
    letters = letters[: len(letters) - (len(letters) % 4 == 1)]
    return binascii.a2b_base64(letters + b"=" * (-len(letters) % 4))


def read_headers(raw: bytes, start: int, end: int, defects: list[str], path: str) -> tuple[EmailMessage, int]:
    """Parse the header block at `start`; return the headers and where the body begins.

    A line that is neither a field nor a continuation (a header without a colon) is dropped with a
    defect, instead of ending the header block as the standard library does.
    """
    if raw.startswith(b"\n", start) or raw.startswith(b"\r\n", start):
        return _HEADER_PARSER.parsebytes(b"", headersonly=True), raw.index(b"\n", start) + 1
    blank_line = _BLANK_LINE.search(raw, start, end)
    header_end, body_start = (blank_line.start(), blank_line.end()) if blank_line else (end, end)
    lines = raw[start:header_end].splitlines(keepends=True)
    if lines and lines[0].startswith(b"From "):
        lines.pop(0)
    kept = []
    for line in lines:
        if _HEADER_LINE.match(line):
            kept.append(line)
        elif line.strip():
            shown = line.strip()[:60].decode("ascii", "replace")
            defects.append(f"part {path or 'message'}: header line without a colon ignored: {shown!r}")
    return _HEADER_PARSER.parsebytes(b"".join(kept) + b"\n", headersonly=True), body_start


def walk(raw: bytes, defects: list[str]) -> tuple[EmailMessage, list[Part]]:
    """The top-level headers and the leaf parts of `raw`, depth first, in document order."""
    headers, body_start = read_headers(raw, 0, len(raw), defects, "")
    parts: list[Part] = []
    for part in _leaves(raw, headers, body_start, len(raw), "", 0, defects):
        if len(parts) == MAXIMUM_PARTS:
            defects.append(f"more than {MAXIMUM_PARTS} MIME parts; the rest were ignored")
            break
        parts.append(part)
    return headers, parts


def _leaves(
    raw: bytes, headers: EmailMessage, start: int, end: int, path: str, depth: int, defects: list[str]
) -> Iterator[Part]:
    if headers.get_content_maintype() != "multipart":
        yield Part(path, headers, raw, start, end)
        return
    boundary = headers.get_boundary()
    if not boundary:
        defects.append(f"part {path or 'message'}: multipart without a boundary, read as text")
        yield Part(path, _plain_text_headers(), raw, start, end)
        return
    if depth == MAXIMUM_DEPTH:
        defects.append(f"part {path}: MIME nesting deeper than {MAXIMUM_DEPTH}; the rest was ignored")
        return
    sections = list(_sections(raw, boundary.encode("utf-8", "surrogateescape"), start, end, path, defects))
    if not sections:
        defects.append(f"part {path or 'message'}: boundary never found, read as text")
        yield Part(path, _plain_text_headers(), raw, start, end)
        return
    for number, (section_start, section_end) in enumerate(sections, start=1):
        section_path = f"{path}.{number}" if path else str(number)
        section_headers, body_start = read_headers(raw, section_start, section_end, defects, section_path)
        yield from _leaves(raw, section_headers, body_start, section_end, section_path, depth + 1, defects)


def _plain_text_headers() -> EmailMessage:
    return _HEADER_PARSER.parsebytes(b"Content-Type: text/plain\n", headersonly=True)


def _sections(
    raw: bytes, boundary: bytes, start: int, end: int, path: str, defects: list[str]
) -> Iterator[tuple[int, int]]:
    """(start, end) of each body part between delimiter lines; the line break before a delimiter is its own."""
    delimiter = b"--" + boundary
    section_start = None
    position = start
    while (found := raw.find(delimiter, position, end)) != -1:
        position = found + len(delimiter)
        line_end = raw.find(b"\n", position, end)
        line_end = end if line_end == -1 else line_end
        rest = raw[position:line_end].rstrip(b" \t\r")
        at_line_start = found == start or raw[found - 1 : found] == b"\n"
        if not at_line_start or rest not in (b"", b"--"):
            continue
        if section_start is not None:
            yield section_start, _before_line_break(raw, section_start, found)
        if rest == b"--":
            return
        section_start = position = min(line_end + 1, end)
    if section_start is not None:
        defects.append(f"part {path or 'message'}: closing boundary missing")
        yield section_start, end


def _before_line_break(raw: bytes, start: int, delimiter: int) -> int:
    if delimiter > start and raw[delimiter - 1 : delimiter] == b"\n":
        delimiter -= 1
        if delimiter > start and raw[delimiter - 1 : delimiter] == b"\r":
            delimiter -= 1
    return delimiter
