"""The audit event kinds of the live workspace, in the agent's trail (AgentEvent): their time zone setting."""

from __future__ import annotations

from caredesk.core.events import VALUE, EventKind, register
from caredesk.core.models import AgentEvent


def declare() -> None:
    register(
        AgentEvent,
        EventKind("time_zone.changed", "changed the time zone from {before} to {after}", field="time_zone",
                  before=VALUE, after=VALUE),
    )
