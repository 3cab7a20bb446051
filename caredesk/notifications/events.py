"""The audit event kinds of notifications, in the recipient's trail (AgentEvent): each notification sent, and
each time the agent marks notifications read."""

from __future__ import annotations

from caredesk.core.events import EventKind, Quoted, record, register
from caredesk.core.models import AgentEvent


def declare() -> None:
    register(
        AgentEvent,
        EventKind("notification.sent", "was notified: {text}", field="notification",
                  after=record("id", "kind", "ticket", "text"),
                  values=lambda reading: {"text": Quoted(reading.after["text"])}),
        EventKind("notification.read", "read {count} notification(s)", field="notification",
                  after=record("count", "ids")),
    )
