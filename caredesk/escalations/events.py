"""The audit event kinds of escalations (see caredesk.core.events). Each carries the escalation's id and the
sentence the ladder or the agent's step wrote (`description`); the rung's details where there is a rung."""

from __future__ import annotations

from caredesk.core.events import EventKind, record, register
from caredesk.tickets.models import TicketEvent

RUNG = ("rung", "rung_title", "agents", "answer_by")


def _kind(name: str, *keys: str, optional: tuple[str, ...] = ()) -> EventKind:
    return EventKind(f"escalation.{name}", "{description}", field="escalation",
                     after=record("escalation", "description", *keys, optional=optional),
                     quotes=tuple(key for key in ("reason", "said", "note") if key in (*keys, *optional)))


def declare() -> None:
    register(
        TicketEvent,
        _kind("requested", "reason"),
        _kind("agreed_to_wait"),
        _kind("refused_to_wait", "said"),
        _kind("transfer_rung", "rung", "rung_title", "agents", "answer_by"),
        _kind("transfer_rung_skipped", "rung", "rung_title", "agents", optional=("answer_by",)),
        _kind("transfer_timed_out", "rung", "rung_title", "agents", optional=("answer_by",)),
        _kind("transfer_answered", "rung", "rung_title", "agents", optional=("answer_by",)),
        _kind("transfer_declined", "rung", "rung_title", "agents", optional=("answer_by", "reason")),
        _kind("transfer_accepted", "rung", "rung_title", "agents", optional=("answer_by",)),
        _kind("voicemail", "rung", "rung_title", "agents", optional=("answer_by",)),
        _kind("voicemail_recorded", "interaction"),
        _kind("called_back", "note"),
    )
