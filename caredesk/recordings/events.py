"""The audit event kinds of call recordings (see caredesk.core.events): stored, failed to download, played or
downloaded (with the reason asked past the open days), deleted at the end of retention."""

from __future__ import annotations

from caredesk.core.events import EventKind, Quoted, Reading, record, register
from caredesk.tickets.models import TicketEvent

ACCESSED = record("recording", "kind", "reason")


def _accessed(reading: Reading) -> dict:
    after = reading.after
    verb = "played" if after["kind"] == "play" else "downloaded"
    reason = after["reason"]
    return {"verb": verb, "recording": after["recording"], "because": ", because " if reason else "",
            "reason": Quoted(reason) if reason else ""}


def declare() -> None:
    register(
        TicketEvent,
        EventKind("recording.stored", "stored the {provider} recording {recording} ({duration_seconds} seconds)",
                  field="recording", after=record("recording", "provider", "duration_seconds", "size_bytes",
                                                   "sha256")),
        EventKind("recording.download_failed",
                  "could not download the {provider} recording {recording} after {attempts} attempts: {error}",
                  field="recording", after=record("recording", "provider", "attempts", "error")),
        EventKind("recording.accessed", "{verb} the recording {recording}{because}{reason}", field="recording",
                  after=ACCESSED, values=_accessed),
        EventKind("recording.deleted",
                  "deleted the audio of the recording {recording} (recorded {recorded_at}) after {retention_days} days",
                  field="recording", after=record("recording", "recorded_at", "retention_days")),
    )
