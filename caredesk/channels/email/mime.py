"""Walk the MIME tree of a raw message without copying its bodies.

The standard library parses every header block (RFC 2047, RFC 2231, address lists), but its feed parser
holds each body as a list of lines and then joins them, which costs about 2.7 times the message size for
a large attachment, and `get_payload(decode=True)` several times more. Here a body stays a pair of
offsets into the raw bytes until it is decoded, once, straight from those bytes.
"""

import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from functools import lru_cache
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from typing import TypeVar
from urllib.parse import quote, unquote_to_bytes

from caredesk.channels.email import charsets

MAXIMUM_DEPTH = 20
MAXIMUM_PARTS = 500
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:|[ \t]")
_HEADER_PARSER = BytesParser(policy=policy.default)
_TEXT_HEADER_PARSER = Parser(policy=policy.default)
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_DECLARED_CHARSET = re.compile(rb'charset\s*=\s*"?([A-Za-z0-9._:+-]{1,40})', re.IGNORECASE)
_CHARSET_SCAN_BYTES = 1_000_000
_EXTENDED_PARAMETER = re.compile(
    r"(?P<name>[\w-]+)\*=(?P<charset>[A-Za-z0-9._:+-]*)'(?P<language>[^'\s;]*)'(?P<value>[^\s;\"]+)"
)
_ENCODED_WORDS = re.compile(rf"{_ENCODED_WORD.pattern}(?:\s+{_ENCODED_WORD.pattern})*")
_BASE64_ALPHABET = re.compile(rb"[^A-Za-z0-9+/]")
Value = TypeVar("Value")


def guarded(defects: list[str], where: str, read: Callable[[], Value], default: Value) -> Value:
    """Run a standard-library header accessor; hostile headers have crashed its parser before."""
    try:
        return read()
    except MemoryError:  # not the input's defect: the parser's memory limit (see channels/parsers.py)
        raise
    except Exception as error:  # noqa: BLE001 - any crash here is a defect of the input, never a 500
        defects.append(f"{where}: unreadable ({type(error).__name__}: {error})")
        return default


@dataclass(frozen=True)
class Fields:
    """The MIME header fields of one entity, each parsed once (policy.default re-parses on every access)."""

    content_type: str = "text/plain"
    parameters: dict[str, str] = field(default_factory=dict)
    disposition: str | None = None
    filename: str | None = None
    transfer_encoding: str = "7bit"
    content_id: str | None = None


def read_fields(headers: EmailMessage, defects: list[str], path: str) -> Fields:
    return guarded(defects, f"part {path or 'message'}", lambda: _fields(headers), Fields())


def _fields(headers: EmailMessage) -> Fields:
    content_type = headers.get("content-type")
    disposition = headers.get("content-disposition")
    parameters = _parameters(content_type)
    disposition_parameters = _parameters(disposition)
    filename = (disposition_parameters.get("filename") or parameters.get("name") or "").strip()
    content_id = headers.get("content-id")
    return Fields(
        content_type=content_type.content_type if content_type else "text/plain",
        parameters=parameters,
        disposition=disposition.content_disposition if disposition else None,
        filename=filename or None,
        transfer_encoding=str(headers.get("content-transfer-encoding", "7bit")).strip().lower(),
        content_id=str(content_id) if content_id else None,
    )


def _parameters(header) -> dict[str, str]:
    return {name.lower(): str(value) for name, value in header.params.items()} if header else {}


@dataclass(frozen=True)
class Part:
    """A leaf of the MIME tree: its fields and where its encoded body lies in the raw message."""

    path: str
    fields: Fields
    raw: bytes
    start: int
    end: int
    in_alternative: bool = False  # inside a multipart/alternative: another part says the same

    @property
    def transfer_encoding(self) -> str:
        return self.fields.transfer_encoding

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
    block = b"".join(kept) + b"\n"
    if block.isascii() and b"=?" not in block and b"*=" not in block:
        return _HEADER_PARSER.parsebytes(block, headersonly=True), body_start
    text = header_text(raw, block, defects, path)
    return _TEXT_HEADER_PARSER.parsestr(text, headersonly=True), body_start


def header_text(raw: bytes, block: bytes, defects: list[str], path: str) -> str:
    """The header block as text: raw 8-bit bytes and RFC 2047 encoded words decoded like bodies.

    Raw UTF-8 (RFC 6532) is read as such; other raw 8-bit bytes in the charset a body part declares when
    it reads them (a program writing raw 8-bit headers uses its own charset), else as detected. Every
    encoded word (and RFC 2231 parameter) is decoded here, with the same charset fallbacks as a body, and
    written back as UTF-8, so a GB2312 or ISO-2022-JP name reads right and a replaced byte is a defect
    instead of a silent U+FFFD.
    """
    where = f"part {path or 'message'} headers"
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        lines = block.splitlines(keepends=True)
        legacy = [line for line in lines if not _is_utf8(line)]
        codec = _declared_charset(raw, legacy) or charsets.detect(b"".join(legacy)) or "cp1252"
        defects.append(f"{where}: 8-bit bytes that are not UTF-8, read as {codec}")
        text = "".join(
            line.decode() if _is_utf8(line) else charsets.decode(line, codec, defects, where) for line in lines
        )
    if "=?" in text:
        text = _ENCODED_WORDS.sub(lambda run: _transcoded(run.group(0), defects, where), text)
    if "*=" in text:
        text = _EXTENDED_PARAMETER.sub(lambda found: _transcoded_parameter(found, defects, where), text)
    return text


def _transcoded_parameter(found: re.Match, defects: list[str], where: str) -> str:
    """An RFC 2231 parameter value (`filename*=gb2312''%B7%A2`) decoded like a body and written back as UTF-8."""
    charset, value = found["charset"], found["value"]
    if charset.lower() in ("utf-8", "us-ascii", ""):
        return found.group(0)
    text = charsets.decode(unquote_to_bytes(value), charset, defects, where)
    return f"{found['name']}*=utf-8'{found['language']}'{quote(text, safe='')}"


def _declared_charset(raw: bytes, lines: list[bytes]) -> str | None:
    """The first charset a part of `raw` declares, other than UTF-8 and ASCII, that reads every line."""
    for codec in _declared_codecs(raw):
        if all(charsets.reads(line, codec) for line in lines):
            return codec
    return None


@lru_cache(maxsize=1)
def _declared_codecs(raw: bytes) -> tuple[str, ...]:
    """The codecs the parts of `raw` declare, other than UTF-8 and ASCII; scanned once per message."""
    labels = dict.fromkeys(_DECLARED_CHARSET.findall(raw, 0, _CHARSET_SCAN_BYTES))
    codecs = (charsets.canonical(label.decode("ascii")) for label in labels)
    return tuple(dict.fromkeys(codec for codec in codecs if codec and codec not in ("utf-8", "ascii")))


def _is_utf8(line: bytes) -> bool:
    return charsets.reads(line, "utf-8")


def _transcoded(run: str, defects: list[str], where: str) -> str:
    """Adjacent encoded words (a character may be split between them) decoded together, as UTF-8 words."""
    words = [(charset.lower(), encoding.lower(), payload) for charset, encoding, payload in _ENCODED_WORD.findall(run)]
    groups: list[tuple[str, list[bytes]]] = []
    for charset, encoding, payload in words:
        data = _word_bytes(encoding, payload)
        if groups and groups[-1][0] == charset:
            groups[-1][1].append(data)
        else:
            groups.append((charset, [data]))
    texts = [charsets.decode(b"".join(parts), charset, defects, where) for charset, parts in groups]
    return "".join(f"=?utf-8?b?{binascii.b2a_base64(text.encode(), newline=False).decode()}?=" for text in texts)


def _word_bytes(encoding: str, payload: str) -> bytes:
    data = payload.encode("ascii", "replace")
    if encoding == "q":
        return binascii.a2b_qp(data, header=True)
    return _decode_damaged_base64(memoryview(data))


def walk(raw: bytes, defects: list[str]) -> tuple[EmailMessage, Fields, list[Part]]:
    """The top-level headers and fields, and the leaf parts of `raw`, depth first, in document order."""
    headers, body_start = read_headers(raw, 0, len(raw), defects, "")
    fields = read_fields(headers, defects, "")
    parts: list[Part] = []
    for part in _leaves(raw, fields, body_start, len(raw), "", 0, defects):
        if len(parts) == MAXIMUM_PARTS:
            defects.append(f"more than {MAXIMUM_PARTS} MIME parts; the rest were ignored")
            break
        parts.append(part)
    return headers, fields, parts


def _leaves(
    raw: bytes, fields: Fields, start: int, end: int, path: str, depth: int, defects: list[str],
    in_alternative: bool = False,
) -> Iterator[Part]:
    if not fields.content_type.startswith("multipart/"):
        yield Part(path, fields, raw, start, end, in_alternative)
        return
    in_alternative = in_alternative or fields.content_type == "multipart/alternative"
    boundary = fields.parameters.get("boundary")
    if not boundary:
        defects.append(f"part {path or 'message'}: multipart without a boundary, read as text")
        yield Part(path, Fields(), raw, start, end)
        return
    if depth == MAXIMUM_DEPTH:
        defects.append(f"part {path}: MIME nesting deeper than {MAXIMUM_DEPTH}; the rest was ignored")
        return
    found = list(sections(raw, boundary.encode("utf-8", "surrogateescape"), start, end, path, defects))
    if not found:
        defects.append(f"part {path or 'message'}: boundary never found, read as text")
        yield Part(path, Fields(), raw, start, end)
        return
    for number, (section_start, section_end) in enumerate(found, start=1):
        section_path = f"{path}.{number}" if path else str(number)
        section_headers, body_start = read_headers(raw, section_start, section_end, defects, section_path)
        section_fields = read_fields(section_headers, defects, section_path)
        yield from _leaves(
            raw, section_fields, body_start, section_end, section_path, depth + 1, defects, in_alternative
        )


def sections(
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
