"""A text taken out of a message as received (a redaction): the message keeps its structure and every other
byte, and "[redacted]" stands where the text was.

Each text part is read as parsing reads it (transfer encoding, then its charset, with the fallbacks for the
charsets mail mislabels); the text is looked for in the bytes of the charset the body is written in and
replaced there, and the body is encoded again as it was. Top-level header fields holding the text (a subject,
a name) are written again as UTF-8 (RFC 6532, which parsing reads). Last, the text's bytes as written anywhere
else (a part's header, a body this could not read) are replaced. Not reached: a text split by markup or
written with HTML entities, and attachments other than text (a PDF, an image).
"""

from __future__ import annotations

import binascii
import re
from email.errors import HeaderParseError
from email.header import decode_header, make_header

from caredesk.channels.email import charsets, limits, mime
from caredesk.core.audit import REDACTED

_FIELD = re.compile(rb"^[^ \t\r\n][^\r\n]*(?:\r?\n[ \t][^\r\n]*)*(?:\r?\n)?", re.MULTILINE)
_NAMED = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")  # a field's first line (mime._HEADER_LINE): not "From "
_BASE64_LINE = 76


def redact(raw: bytes, pattern: re.Pattern[str],
           mail_limits: limits.MailLimits = limits.MailLimits()) -> tuple[bytes, int]:
    """`raw` with every match of `pattern` replaced, and how many were. A message over one of `mail_limits`
    (built to exhaust a parser, which never read it either) has only the text's bytes as written replaced."""
    if limits.check(raw, mail_limits) is not None:
        return _as_written(raw, pattern)
    defects: list[str] = []
    parts = mime.walk(raw, defects)[2]
    headers, body_start = mime.read_headers(raw, 0, len(raw), defects, "")
    line_break = b"\r\n" if b"\r\n" in raw[:body_start] else b"\n"
    header_block, count = _redacted_fields(raw, raw[:body_start], headers, pattern)
    pieces, position = [header_block], body_start
    for part in parts:
        if not part.fields.content_type.startswith("text/"):
            continue
        data, found = _redacted_text(part.decode(defects), part.fields.parameters.get("charset"), pattern)
        if found:
            body = raw[part.start:part.end]
            ending = body[len(body.rstrip(b"\r\n")):] if part.transfer_encoding == "base64" else b""
            pieces += [raw[position:part.start], _encoded(data, part.transfer_encoding, line_break) + ending]
            position, count = part.end, count + found
    redacted, literal = _as_written(b"".join([*pieces, raw[position:]]), pattern)
    return redacted, count + literal


def _as_written(raw: bytes, pattern: re.Pattern[str]) -> tuple[bytes, int]:
    """The text's UTF-8 (and ASCII) bytes as they stand in `raw`, replaced."""
    return re.compile(pattern.pattern.encode("utf-8"), re.IGNORECASE).subn(REDACTED.encode(), raw)


def _redacted_fields(raw: bytes, block: bytes, headers, pattern: re.Pattern[str]) -> tuple[bytes, int]:
    """The header block with each field whose value holds the text written again, in UTF-8. Values are read
    as parsing read the block (`headers`: the charset of raw 8-bit bytes is chosen for the block as a whole)."""
    fields = [found for found in _FIELD.finditer(block) if _NAMED.match(found.group(0))]
    values = mime.guarded([], "headers", lambda: [str(value) for _, value in headers.items()], [])
    if len(values) != len(fields):  # read otherwise than split here: each field read on its own
        values = [_decoded(mime.header_text(raw, found.group(0), [], "").partition(":")[2]) for found in fields]
    pieces, position, count = [], 0, 0
    for found, value in zip(fields, values):
        new, occurrences = pattern.subn(REDACTED, " ".join(value.split()))
        if occurrences:
            field = found.group(0)
            name, ending = field.partition(b":")[0], field[len(field.rstrip(b"\r\n")):]
            pieces += [block[position:found.start()], name + b": " + new.encode("utf-8") + ending]
            position, count = found.end(), count + occurrences
    return b"".join([*pieces, block[position:]]), count


def _decoded(value: str) -> str:
    """A field's value with its encoded words (which `mime.header_text` wrote as UTF-8) decoded."""
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError):
        return value  # read as written


def _redacted_text(data: bytes, charset: str | None, pattern: re.Pattern[str]) -> tuple[bytes, int]:
    """The body bytes with each match replaced in the charset they are written in: the match's own bytes
    where they are found (every other byte kept), else the whole text written again in the codec that reads
    the bytes as parsing did (a stateful charset such as ISO-2022-JP)."""
    text = charsets.decode(data, charset, [], "")
    matches = set(pattern.findall(text))
    if not matches:
        return data, 0
    candidates = [charsets.canonical(charset) if charset else None, "utf-8", charsets.detect(data), "cp1252"]
    codecs = list(dict.fromkeys(codec for codec in candidates if codec))
    for codec in codecs if not all(_written_in(match, codecs, data) for match in matches) else ():
        if _reads_as(data, codec, text):
            redacted, count = pattern.subn(REDACTED, text)
            return redacted.encode(codec), count
    count = 0
    for match in matches:
        written = _written_in(match, codecs, data)
        if written:
            count += data.count(written)
            data = data.replace(written, REDACTED.encode("ascii"))
    return data, count


def _written_in(text: str, codecs: list[str], data: bytes) -> bytes | None:
    """`text` as written in `data`, in the first of `codecs` that has it there."""
    for codec in codecs:
        try:
            written = text.encode(codec)
        except UnicodeEncodeError:
            continue
        if written in data:
            return written
    return None


def _reads_as(data: bytes, codec: str, text: str) -> bool:
    try:
        return data.decode(codec) == text
    except UnicodeDecodeError:
        return False


def _encoded(data: bytes, transfer_encoding: str, line_break: bytes) -> bytes:
    """`data` in the transfer encoding it came in (quoted-printable keeps the body's own line breaks)."""
    if transfer_encoding == "base64":
        encoded = binascii.b2a_base64(data, newline=False)
        return line_break.join(encoded[at:at + _BASE64_LINE] for at in range(0, len(encoded), _BASE64_LINE))
    if transfer_encoding == "quoted-printable":
        return binascii.b2a_qp(data)
    return data
