"""The audit event kinds of SOP 002's additional review (see caredesk.core.events)."""

from __future__ import annotations

from caredesk.core.events import EventKind, Quoted, Reading, record, register
from caredesk.tickets.models import TicketEvent

FLAG = record("qualifier", "name", "matched", "reason")
QUOTES = ("matched", "reason")  # the words found in the ticket's texts, the reason given for clearing


def _flag(reading: Reading) -> dict:
    after = reading.after
    return {"name": after["name"], "matched": ", ".join(f"“{words}”" for words in after["matched"]),
            "reason": Quoted(after["reason"]) if after["reason"] else ""}


def declare() -> None:
    register(
        TicketEvent,
        EventKind("review.flag_raised", "raised the flag additional review: {name} ({matched})", after=FLAG,
                  values=_flag, quotes=QUOTES),
        EventKind("review.flag_matched", "found more for the flag additional review: {name} ({matched})",
                  after=FLAG, values=_flag, quotes=QUOTES),
        EventKind("review.flag_cleared", "cleared the flag additional review: {name}, because {reason}",
                  before=FLAG, after=FLAG, values=_flag, quotes=QUOTES),
    )
