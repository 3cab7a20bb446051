"""What Outlook and calendar programs wrap inside an attachment: winmail.dat (TNEF) holding the real files, and
a calendar invite (text/calendar) whose summary, time and organiser an agent needs without opening it.

Both read untrusted bytes: a failure is a parsing defect and the attachment stays as it came."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import date, datetime

import icalendar
import tnefparse

from caredesk.channels.email import mime

TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
CALENDAR_TYPES = frozenset({"text/calendar", "application/ics"})
MAXIMUM_INVITE_EVENTS = 5
MAXIMUM_INVITE_TEXT = 500


@dataclass(frozen=True)
class ContainedFile:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Invite:
    """A calendar invite's summary for the ticket: what, when (ISO 8601; a date for an all-day event), who."""

    summary: str
    start: str | None
    end: str | None
    organizer: str
    location: str
    method: str

    def as_dict(self) -> dict:
        return {"summary": self.summary, "start": self.start, "end": self.end, "organizer": self.organizer,
                "location": self.location, "method": self.method}


def is_tnef(content_type: str, filename: str | None) -> bool:
    return content_type in TNEF_TYPES or (filename or "").lower() == "winmail.dat"


def tnef_files(content: bytes, defects: list[str], where: str) -> list[ContainedFile] | None:
    """The files inside a winmail.dat, named as Outlook named them; None when it cannot be read or holds none
    (then the winmail.dat itself is kept)."""
    tnef = mime.guarded(defects, f"{where} (TNEF)", lambda: tnefparse.TNEF(content, do_checksum=False), None)
    if tnef is None:
        return None
    files = []
    for attachment in tnef.attachments:
        data = attachment.data if isinstance(attachment.data, bytes) else b""
        name = mime.guarded(defects, f"{where} (TNEF file name)", attachment.long_filename, "")
        name = name.decode("latin-1") if isinstance(name, bytes) else str(name or "")
        name = name.strip("\x00").strip()
        content_type = mimetypes.guess_type(name)[0] if name else None
        files.append(ContainedFile(name, content_type or "application/octet-stream", data))
    if not files:
        defects.append(f"{where}: a winmail.dat without attachments, kept as it came")
        return None
    return files


def _text(component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    text = str(value)
    if name == "organizer":
        params = getattr(value, "params", {})
        address = text.split(":", 1)[1] if text.lower().startswith("mailto:") else text
        common_name = str(params.get("CN", "")).strip('"')
        text = f"{common_name} <{address}>" if common_name else address
    return " ".join(text.split())[:MAXIMUM_INVITE_TEXT]


def _moment(component, name: str) -> str | None:
    value = component.get(name)
    moment = getattr(value, "dt", None)
    if isinstance(moment, (datetime, date)):
        return moment.isoformat()
    return None


def invites(content: bytes, defects: list[str], where: str) -> list[Invite]:
    """The events of a calendar file (at most a few), each summarised."""
    calendar = mime.guarded(defects, f"{where} (calendar)", lambda: icalendar.Calendar.from_ical(content), None)
    if calendar is None:
        return []
    method = _text(calendar, "method").upper()
    found = []
    for event in calendar.walk("VEVENT")[:MAXIMUM_INVITE_EVENTS]:
        found.append(Invite(summary=_text(event, "summary"), start=_moment(event, "dtstart"),
                            end=_moment(event, "dtend"), organizer=_text(event, "organizer"),
                            location=_text(event, "location"), method=method))
    return found
