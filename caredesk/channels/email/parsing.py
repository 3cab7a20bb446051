"""Parse a raw inbound message into plain data: addresses, bodies, the new reply, attachments, defects.

`parse_message` never raises on damaged MIME; it returns what it could read and lists the damage in
`defects`. Only input that is not an email at all raises `MalformedEmail`.
"""

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy, utils
from email.header import decode_header, make_header
from email.message import EmailMessage

from caredesk.channels.email import bodies, charsets, containers, limits, mime
from caredesk.channels.email.addresses import message_ids, normalise_address, normalise_message_id

DEFAULT_MAXIMUM_ATTACHMENTS = 50
MAXIMUM_BODY_CHARACTERS = 1_000_000
MAXIMUM_REPLY_SCAN_CHARACTERS = 100_000
MAXIMUM_MESSAGE_ID_LENGTH = 250
MAXIMUM_REFERENCES = 50
MAXIMUM_FILENAME_BYTES = 200
GENERATED_MESSAGE_ID_DOMAIN = "generated.caredesk.invalid"
_MESSAGE_FIELDS = {
    "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "in-reply-to",
    "references", "mime-version", "content-type", "received", "return-path", "delivered-to",
}  # fmt: skip
_SIGNATURE_ONLY = re.compile(r"--[ \t]*\n")  # a text part that opens with a signature separator
_COMMENT_NAME = re.compile(r"^\s*(?P<address>[^\s<>()\"]+@[^\s<>()\"]+)\s*\((?P<name>[^()]*)\)\s*$")
_BARE_ADDRESS = re.compile(r"^\s*(?P<name>[^<>@]*?)\s+(?P<address>[^\s<>\"@]+@[^\s<>\"@]+)\s*$")
_GENERATED_STEMS = {
    "application/pdf": "document",
    "application/ms-tnef": "winmail",
    "application/vnd.ms-tnef": "winmail",
    "text/calendar": "invite",
    "text/plain": "text",
    "text/html": "message",
    "message/rfc822": "forwarded-message",
    "message/delivery-status": "delivery-status",
    "message/disposition-notification": "read-receipt",
    "text/rfc822-headers": "original-headers",
    "image": "image",
    "audio": "audio",
    "video": "video",
}
_EXTENSIONS = {
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "text/rfc822-headers": ".txt",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "application/ms-tnef": ".dat",
    "application/vnd.ms-tnef": ".dat",
    "application/octet-stream": ".bin",
}
_UNSAFE_FILENAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED_NAMES = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\.|$)", re.IGNORECASE)


class MalformedEmail(ValueError):
    """The input is not an email message at all (empty, or no header fields)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    sha256: str
    content: bytes = field(repr=False)
    inline: bool
    content_id: str | None


@dataclass(frozen=True)
class SkippedAttachment:
    """An attachment left out by a limit; `reason` is "too_large" or "too_many"."""

    filename: str
    content_type: str
    size: int
    reason: str


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    message_id_generated: bool
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str | None
    reply_to: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]
    date: datetime | None
    text_body: str
    reply_body: str
    html_body: str
    attachments: tuple[Attachment, ...]
    skipped_attachments: tuple[SkippedAttachment, ...]
    content_type: str
    report_type: str | None
    headers: tuple[tuple[str, str], ...]
    defects: tuple[str, ...]
    size: int
    over_limit: limits.OverLimit | None = None  # set when the message was not parsed (see `limits.py`)
    forwarded_at: int | None = None  # where in reply_body a forwarded (or original) message begins
    invites: tuple[containers.Invite, ...] = ()  # the calendar invites attached, summarised

    def header(self, name: str) -> str | None:
        """The first decoded value of header `name` (case-insensitive), or None."""
        return next(iter(self.header_values(name)), None)

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [value for header_name, value in self.headers if header_name == name]


def parse_message(
    raw: bytes,
    *,
    max_attachment_bytes: int,
    max_attachments: int = DEFAULT_MAXIMUM_ATTACHMENTS,
    reply_languages: tuple[str, ...] = bodies.DEFAULT_REPLY_LANGUAGES,
    mail_limits: limits.MailLimits = limits.MailLimits(),
) -> ParsedEmail:
    """Parse `raw` (the message exactly as received). Raises MalformedEmail only for non-email input.

    A message over one of `mail_limits` is not parsed: see `_over_limit`."""
    if not raw or raw.isspace():
        raise MalformedEmail("the message is empty")
    over = limits.check(raw, mail_limits)
    if over is not None:
        return _over_limit(raw, over, max_attachment_bytes)
    defects: list[str] = []
    headers, fields, parts = mime.walk(raw, defects)
    if not any(name.lower() in _MESSAGE_FIELDS for name in headers.keys()):
        raise MalformedEmail("not an email message: no header fields such as From, To, Subject or Date")
    reader = _HeaderReader(headers, defects)
    message_id = reader.message_id("message-id")
    sender = reader.first_address("from") or reader.first_address("sender") or reader.first_address("reply-to")
    content = _Contents(parts, defects, max_attachment_bytes, max_attachments)
    subject = reader.subject()
    forwarded = bodies.is_forward_subject(subject)
    reply_body = bodies.extract_reply(
        content.text[:MAXIMUM_REPLY_SCAN_CHARACTERS], reply_languages, forwarded=forwarded
    )
    return ParsedEmail(
        message_id=message_id or _generated_message_id(raw),
        message_id_generated=message_id is None,
        in_reply_to=reader.message_id("in-reply-to"),
        references=tuple(reader.references()),
        subject=subject,
        from_name=sender[0] if sender else "",
        from_address=sender[1] if sender else None,
        reply_to=(reader.first_address("reply-to") or (None, None))[1],
        to=tuple(address for _, address in reader.addresses("to")),
        cc=tuple(address for _, address in reader.addresses("cc")),
        delivered_to=tuple(reader.plain_addresses("delivered-to", "x-original-to")),
        date=reader.date(),
        text_body=content.text,
        reply_body=reply_body,
        forwarded_at=bodies.forward_start(reply_body),
        invites=tuple(content.invites),
        html_body=bodies.sanitise_html(content.html) if content.html else "",
        attachments=tuple(content.attachments),
        skipped_attachments=tuple(content.skipped),
        content_type=fields.content_type,
        report_type=fields.parameters.get("report-type", "").lower() or None,
        headers=reader.all_headers(),
        defects=tuple(defects),
        size=len(raw),
    )


OVER_LIMIT_BODY = "(This message is too large or too complex to read safely; the original is attached.)"


def _over_limit(raw: bytes, over: limits.OverLimit, max_attachment_bytes: int) -> ParsedEmail:
    """What a message over a limit shows: its sender, the start of its subject and, as an attachment, itself."""
    reading = limits.read_safely(raw)
    address = normalise_address(clean_text(reading.from_address))
    original = Attachment(filename="original-message.eml", content_type="message/rfc822", size=len(raw),
                          sha256=hashlib.sha256(raw).hexdigest(), content=raw, inline=False, content_id=None)
    too_large = len(raw) > max_attachment_bytes
    return ParsedEmail(
        message_id=reading.message_id or _generated_message_id(raw), message_id_generated=reading.message_id is None,
        in_reply_to=None, references=(), subject=clean_text(reading.subject),
        from_name=clean_text(reading.from_name), from_address=address, reply_to=None, to=(), cc=(),
        delivered_to=(), date=None, text_body=OVER_LIMIT_BODY, reply_body=OVER_LIMIT_BODY, html_body="",
        attachments=() if too_large else (original,),
        skipped_attachments=(SkippedAttachment(original.filename, original.content_type, len(raw), "too_large"),)
        if too_large else (),
        content_type="message/rfc822", report_type=None, headers=(), defects=(over.detail,), size=len(raw),
        over_limit=over,
    )


def _generated_message_id(raw: bytes) -> str:
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@{GENERATED_MESSAGE_ID_DOMAIN}"


def clean_text(text: str) -> str:
    """Text safe to store anywhere: no NUL characters, no lone surrogates."""
    return text.replace("\x00", "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class _HeaderReader:
    """Decoded header values, recording the standard library's header defects once per field."""

    def __init__(self, headers: EmailMessage, defects: list[str]) -> None:
        self._headers = headers
        self._defects = defects

    def _values(self, name: str) -> list:
        values = mime.guarded(self._defects, f"header {name}", lambda: self._headers.get_all(name, []), [])
        for value in values:
            self._defects.extend(f"header {name}: {defect}" for defect in getattr(value, "defects", ()))
        return values

    def _text(self, name: str) -> str | None:
        values = self._values(name)
        return clean_text(str(values[0])) if values else None

    def message_id(self, name: str) -> str | None:
        identifier = normalise_message_id(self._text(name) or "")
        if identifier and len(identifier) > MAXIMUM_MESSAGE_ID_LENGTH:
            self._defects.append(f"header {name}: longer than {MAXIMUM_MESSAGE_ID_LENGTH} characters, ignored")
            return None
        return identifier

    def references(self) -> list[str]:
        identifiers = message_ids(self._text("references") or "")
        return [item for item in identifiers if len(item) <= MAXIMUM_MESSAGE_ID_LENGTH][-MAXIMUM_REFERENCES:]

    def subject(self) -> str:
        return " ".join((self._text("subject") or "").split())

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, normalised address) for each valid mailbox in every `name` header."""
        found = []
        for value in self._values(name):
            for address in getattr(value, "addresses", ()):
                normalised = normalise_address(clean_text(address.addr_spec))
                if normalised:
                    found.append((clean_text(address.display_name), normalised))
                else:
                    self._defects.append(f"header {name}: invalid address {address.addr_spec!r} ignored")
        return found

    def first_address(self, name: str) -> tuple[str, str] | None:
        """The first valid mailbox of `name`, also in the forms real mail writes beside RFC 5322's.

        `address (Name)` keeps its comment as the name; `Name address@example.com`, without angle
        brackets, is read as a name and an address (the standard library reads one invalid address)."""
        found = next(iter(self.addresses(name)), None)
        if found is not None and found[0]:
            return found
        text = self._raw_text(name)
        if match := _COMMENT_NAME.match(text):
            address = normalise_address(match["address"])
            return (match["name"].strip(), address) if address else found
        if found is None and (match := _BARE_ADDRESS.match(text)):
            address = normalise_address(match["address"])
            if address:
                self._defects.append(f"header {name}: address without angle brackets read as {address!r}")
                return match["name"].strip().strip('"').strip(), address
        return found

    def _raw_text(self, name: str) -> str:
        """The first `name` field as written, unfolded, its encoded words decoded but its syntax not re-rendered."""
        raw = next((value for field, value in self._headers.raw_items() if field.lower() == name), "")
        unfolded = " ".join(raw.split())
        if "=?" not in unfolded:
            return clean_text(unfolded)
        decoded = mime.guarded(self._defects, f"header {name}", lambda: str(make_header(decode_header(unfolded))), "")
        return clean_text(decoded)

    def plain_addresses(self, *names: str) -> list[str]:
        """Addresses from trace headers such as Delivered-To, which the standard library keeps unstructured."""
        values = [str(value) for name in names for value in self._values(name)]
        found = (normalise_address(address) for _, address in utils.getaddresses(values))
        return list(dict.fromkeys(address for address in found if address))

    def date(self) -> datetime | None:
        value = next(iter(self._values("date")), None)
        moment = getattr(value, "datetime", None)
        if moment is None:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def all_headers(self) -> tuple[tuple[str, str], ...]:
        """Every header field as (lower-cased name, decoded value), in order."""
        return tuple(
            (name.lower(), mime.guarded(self._defects, f"header {name}", lambda: self._decoded(name, raw), ""))
            for name, raw in self._headers.raw_items()
        )

    @staticmethod
    def _decoded(name: str, raw_value: str) -> str:
        """Unfolded and RFC 2047 decoded; the full header parser only runs where there is something to decode."""
        if raw_value.isascii() and "=?" not in raw_value:
            return clean_text(" ".join(raw_value.split()))
        return clean_text(" ".join(str(policy.default.header_fetch_parse(name, raw_value)).split()))


class _Contents:
    """The body texts and attachments of a message's leaf parts, within the attachment limits."""

    def __init__(self, parts: list[mime.Part], defects: list[str], max_bytes: int, max_count: int) -> None:
        self._defects = defects
        self._max_bytes = max_bytes
        self._max_count = max_count
        self.attachments: list[Attachment] = []
        self.skipped: list[SkippedAttachment] = []
        self.invites: list[containers.Invite] = []
        texts: list[tuple[str, bool]] = []
        html: list[str] = []
        for part in parts:
            fields = part.fields
            is_body = fields.disposition != "attachment" and not fields.filename
            if is_body and fields.content_type == "text/plain":
                texts.append((self._text(part), False))
            elif is_body and fields.content_type == "text/html":
                html.append(self._text(part))
                if not part.in_alternative:
                    texts.append((bodies.html_to_text(html[-1]), True))
            else:
                self._add_attachment(part)
        self.html = self._limited("\n".join(html))
        kept = sorted(_without_repeats(texts), key=lambda text: bool(_SIGNATURE_ONLY.match(text)))
        self.text = self._limited("\n\n".join(kept))
        if not self.text and self.html:
            self.text = bodies.html_to_text(self.html)

    def _text(self, part: mime.Part) -> str:
        charset = part.fields.parameters.get("charset")
        text = charsets.decode(part.decode(self._defects), charset, self._defects, f"part {part.path or 'body'}")
        return clean_text(text.replace("\r\n", "\n")).strip("\n")

    def _limited(self, text: str) -> str:
        if len(text) <= MAXIMUM_BODY_CHARACTERS:
            return text
        self._defects.append(f"body longer than {MAXIMUM_BODY_CHARACTERS} characters, truncated")
        return text[:MAXIMUM_BODY_CHARACTERS]

    def _forwarded_subject(self, part: mime.Part) -> str:
        """A forwarded message's file name from its subject ("" for other parts, or without a subject)."""
        if part.fields.content_type != "message/rfc822":
            return ""
        headers, _ = mime.read_headers(part.raw, part.start, part.end, self._defects, part.path)
        subject = mime.guarded(self._defects, f"part {part.path}", lambda: str(headers.get("subject", "")), "")
        subject = " ".join(subject.split())
        return f"{subject[:100]}.eml" if subject else ""

    def _unique(self, name: str) -> str:
        """`name`, numbered ("image-2.png") when an earlier attachment has it."""
        taken = {attachment.filename for attachment in self.attachments}
        stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
        number = 2
        while name in taken:
            name = f"{stem}-{number}{dot}{extension}"
            number += 1
        return name

    def _add_attachment(self, part: mime.Part) -> None:
        content_type, disposition = part.fields.content_type, part.fields.disposition
        name = safe_filename(part.fields.filename or self._forwarded_subject(part), content_type)
        estimated_size = part.estimated_size()
        if len(self.attachments) >= self._max_count:
            self.skipped.append(SkippedAttachment(self._unique(name), content_type, estimated_size, "too_many"))
            return
        if estimated_size > self._max_bytes:
            self.skipped.append(SkippedAttachment(self._unique(name), content_type, estimated_size, "too_large"))
            return
        content = part.decode(self._defects)
        where = f"part {part.path or 'body'}"
        if containers.is_tnef(content_type, part.fields.filename):
            files = containers.tnef_files(content, self._defects, where)
            if files is not None:  # winmail.dat: its real attachments instead
                for file in files:
                    self._keep(safe_filename(file.filename, file.content_type), file.content_type, file.content)
                return
        if content_type in containers.CALENDAR_TYPES:
            self.invites.extend(invite for invite in containers.invites(content, self._defects, where)
                                if invite not in self.invites)  # Gmail sends the same one twice
        content_id = part.fields.content_id
        identifier = normalise_message_id(clean_text(content_id)) if content_id else None
        self._keep(name, content_type, content,
                   inline=disposition == "inline" or (disposition is None and identifier is not None),
                   content_id=identifier)

    def _keep(self, name: str, content_type: str, content: bytes, *, inline: bool = False,
              content_id: str | None = None) -> None:
        """An attachment, numbered when its name is taken, within the limits of count and size."""
        name = self._unique(name)
        if len(self.attachments) >= self._max_count:
            self.skipped.append(SkippedAttachment(name, content_type, len(content), "too_many"))
            return
        if len(content) > self._max_bytes:
            self.skipped.append(SkippedAttachment(name, content_type, len(content), "too_large"))
            return
        self.attachments.append(
            Attachment(
                filename=name,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                inline=inline,
                content_id=content_id,
            )
        )


def _without_repeats(texts: list[tuple[str, bool]]) -> list[str]:
    """The non-empty body texts, (text, from HTML), less those that say what another already says.

    An HTML body outside multipart/alternative is read as text too: some programs put the real message
    there beside a text part holding only a signature (which then goes last), others the same message
    twice. Only texts from HTML are compared with the others (few in any message)."""
    if not any(html for _, html in texts):
        return [text for text, _ in texts if text.strip()]
    words = [" ".join(text.split()) for text, _ in texts]
    from_html = [index for index, (_, html) in enumerate(texts) if html and words[index]]
    dropped = set()
    for index in from_html:
        others = [other for other in range(len(texts)) if other != index and other not in dropped]
        if any(words[index] in words[other] for other in others):
            dropped.add(index)
        else:
            dropped.update(other for other in others if not texts[other][1] and words[other] in words[index])
    return [text for index, (text, _) in enumerate(texts) if words[index] and index not in dropped]


def generated_filename(content_type: str, subject: str = "") -> str:
    """A name for an attachment sent without one, from its content type (a forwarded message: its subject)."""
    major = content_type.partition("/")[0]
    stem = subject or _GENERATED_STEMS.get(content_type) or _GENERATED_STEMS.get(major, "attachment")
    extension = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ".bin"
    return f"{stem}{extension}"


def safe_filename(filename: str, content_type: str) -> str:
    """A file name safe on any file system: no directories, control or reserved characters, bounded length."""
    name = unicodedata.normalize("NFC", clean_text(filename)).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME_CHARACTERS.sub("_", name).strip(" .")
    if _WINDOWS_RESERVED_NAMES.match(name):
        name = f"_{name}"
    if not name:
        name = generated_filename(content_type)
    stem, dot, extension = name.rpartition(".")
    if len(name.encode()) > MAXIMUM_FILENAME_BYTES:
        extension = extension[:20] if dot else ""
        budget = MAXIMUM_FILENAME_BYTES - len(extension.encode()) - 1
        stem = (stem if dot else name).encode()[:budget].decode("utf-8", "ignore")
        name = f"{stem}.{extension}" if extension else stem
    return name
