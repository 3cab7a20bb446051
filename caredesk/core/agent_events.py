"""The audit event kinds of agents: their creation, details, roles, presence, activation, passwords, API tokens,
and the views they saved."""

from __future__ import annotations

from caredesk.core.events import VALUE, EventKind, Quoted, Reading, record, register, value_text
from caredesk.core.models import AgentEvent


SAVED_VIEW = record("id", "name", "filters", "shared_with")


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
        EventKind("agent.changed", "changed the {field} from {before} to {after}",
                  field=("first_name", "last_name", "email"), before=VALUE, after=VALUE),
        EventKind("agent.activated", "activated the agent", field="is_active", before=VALUE, after=VALUE),
        EventKind("roles.changed", "changed the roles from {before} to {after}", field="roles", before=VALUE,
                  after=VALUE),
        EventKind("skills.changed", "changed the skills from {before} to {after}", field="skills", before=VALUE,
                  after=VALUE),
        EventKind("password.changed", "set a new password", field="password"),
        EventKind("password.removed", "removed the password (signing in is no longer possible)", field="password"),
        EventKind("saved_view.created", "saved the view {name}", field="saved_view", after=SAVED_VIEW,
                  values=lambda reading: {"name": Quoted(reading.after["name"])}),
        EventKind("saved_view.changed", "changed the saved view {name}", field="saved_view", before=SAVED_VIEW,
                  after=SAVED_VIEW, values=lambda reading: {"name": Quoted(reading.after["name"])}),
        EventKind("saved_view.deleted", "removed the saved view {name}", field="saved_view", before=SAVED_VIEW,
                  values=lambda reading: {"name": Quoted(reading.before["name"])}),
        EventKind("api_token.created", "created the API token {name}", after=record("name", "lookup")),
        EventKind("api_token.revoked", "revoked the API token {name}", field="revoked_at",
                  after=record("name", "lookup", "revoked_at")),
    )
