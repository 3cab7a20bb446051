"""The audit event kinds of agents: their creation, presence, deactivation and API tokens."""

from __future__ import annotations

from caredesk.core.events import VALUE, EventKind, Reading, record, register, value_text
from caredesk.core.models import AgentEvent


def _created(reading: Reading) -> dict:
    after = reading.after
    return {"username": after["username"], "roles": value_text(after["roles"]),
            "skills": f", skills {value_text(after['skills'])}" if after["skills"] else ""}


def declare() -> None:
    register(
        AgentEvent,
        EventKind("agent.created", "created the agent {username} (roles {roles}{skills})",
                  after=record("username", "email", "roles", "skills"), values=_created),
        EventKind("presence.changed", "changed the {field} from {before} to {after}", field="presence",
                  before=VALUE, after=VALUE),
        EventKind("agent.deactivated", "deactivated the agent", field="is_active", before=VALUE, after=VALUE),
        EventKind("api_token.created", "created the API token {name}", after=record("name", "lookup")),
        EventKind("api_token.revoked", "revoked the API token {name}", field="revoked_at",
                  after=record("name", "lookup", "revoked_at")),
    )
