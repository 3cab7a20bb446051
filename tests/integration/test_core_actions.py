"""Agents, presence and API tokens: each action's effect and its audit event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.core import roles
from caredesk.core.actions import (
    agent_for_token, create_agent, create_api_token, deactivate_agent, revoke_api_token, set_presence,
)
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.models import Agent, AgentEvent, ApiToken
from tests.integration.helpers import nothing_written


def test_create_agent_with_roles_skills_and_event(admin_agent, frozen_clock):
    actor = Actor.of_agent(admin_agent)
    agent = create_agent(username="  lee ", password="a-long-enough-passphrase", email="lee@example.com",
                         first_name="Lee", last_name="Chan", role_names=[roles.RESOLUTION_LEAD],
                         skills=["Resolution Lead", "Spanish"], actor=actor)
    agent = Agent.objects.get(pk=agent.pk)
    assert agent.username == "lee" and agent.display_name == "Lee Chan"
    assert agent.check_password("a-long-enough-passphrase")
    assert agent.role_names == {roles.RESOLUTION_LEAD}
    assert agent.can(roles.VIEW_REPORTS) and not agent.can(roles.CONFIGURE)
    assert sorted(agent.skills.values_list("name", flat=True)) == ["Resolution Lead", "Spanish"]
    assert not agent.is_staff and not agent.is_superuser
    (event,) = AgentEvent.objects.filter(agent=agent)
    assert (event.actor, event.actor_kind, event.action, event.field) == (admin_agent, "agent", "agent.created", "")
    assert event.before is None
    assert event.after == {"username": "lee", "email": "lee@example.com", "roles": [roles.RESOLUTION_LEAD],
                           "skills": ["Resolution Lead", "Spanish"]}
    assert event.at == frozen_clock.now()


def test_create_agent_without_actor_is_recorded_as_the_system(db):
    agent = create_agent(username="admin", role_names=[roles.ADMIN])
    assert agent.is_staff and agent.is_superuser and not agent.has_usable_password()
    event = AgentEvent.objects.get(agent=agent)
    assert (event.actor_kind, event.actor_label, event.actor) == ("system", "caredesk", None)


@pytest.mark.parametrize(("fields", "field", "error"), [
    ({"username": ""}, "username", ValidationFailed),
    ({"username": "   "}, "username", ValidationFailed),
    ({"username": "MARIA"}, "username", Conflict),
    ({"username": "x", "role_names": ["Janitor"]}, "roles", ValidationFailed),
    ({"username": "x", "password": "password"}, "password", ValidationFailed),
    ({"username": "x", "password": "short"}, "password", ValidationFailed),
])
def test_create_agent_refuses_bad_input_and_writes_nothing(agent, fields, field, error):
    with nothing_written():
        with pytest.raises(error) as caught:
            create_agent(**fields)
    assert caught.value.field == field
    assert not AgentEvent.objects.exclude(agent=agent).exists()


def test_set_presence_changes_it_and_records_before_and_after(agent, admin_agent):
    set_presence(agent, "available", actor=Actor.of_agent(admin_agent))
    assert Agent.objects.get(pk=agent.pk).presence == "available"
    event = AgentEvent.objects.get(agent=agent, action="presence.changed")
    assert (event.actor, event.field, event.before, event.after) == (admin_agent, "presence", "offline", "available")


def test_set_presence_to_the_same_value_records_nothing(agent):
    set_presence(agent, "offline")
    assert not AgentEvent.objects.filter(agent=agent, action="presence.changed").exists()


def test_deactivating_an_agent_ends_their_sign_in_and_tokens_and_keeps_their_history(agent, admin_agent):
    _, token = create_api_token(agent)
    assert agent_for_token(token) == agent
    deactivate_agent(agent, actor=Actor.of_agent(admin_agent))
    gone = Agent.objects.get(pk=agent.pk)
    assert (gone.is_active, gone.presence) == (False, "offline")
    assert agent_for_token(token) is None
    event = AgentEvent.objects.get(agent=agent, action="agent.deactivated")
    assert (event.actor, event.before, event.after) == (admin_agent, True, False)


def test_set_presence_refuses_unknown_values(agent):
    with nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            set_presence(agent, "asleep")
    assert caught.value.field == "presence"
    assert Agent.objects.get(pk=agent.pk).presence == "offline"
    assert not AgentEvent.objects.filter(action="presence.changed").exists()


def test_create_api_token_keeps_only_a_digest(agent, admin_agent, frozen_clock):
    row, token = create_api_token(agent, "laptop", actor=Actor.of_agent(admin_agent))
    assert token.startswith("cdt_") and token[4:12] == row.lookup
    stored = ApiToken.objects.get(pk=row.pk)
    assert token not in (stored.digest, stored.lookup) and stored.matches(token)
    assert stored.created_at == frozen_clock.now() and stored.revoked_at is None and stored.name == "laptop"
    assert agent_for_token(token) == agent
    event = AgentEvent.objects.get(agent=agent, action="api_token.created")
    assert event.actor == admin_agent and event.after == {"name": "laptop", "lookup": row.lookup}
    assert token not in str(event.after)


def test_create_api_token_for_a_deactivated_agent_is_refused(make_agent):
    agent = make_agent("gone")
    Agent.objects.filter(pk=agent.pk).update(is_active=False)  # test setup: deactivation has no action yet
    agent.refresh_from_db()
    with nothing_written():
        with pytest.raises(Conflict) as caught:
            create_api_token(agent)
    assert caught.value.field == "agent"


def test_revoke_api_token_stops_it_and_records_once(agent, frozen_clock):
    row, token = create_api_token(agent, "old")
    frozen_clock.advance(timedelta(hours=1))
    revoke_api_token(row, actor=Actor.of_agent(agent))
    stored = ApiToken.objects.get(pk=row.pk)
    assert stored.revoked_at == frozen_clock.now()
    assert agent_for_token(token) is None
    revoke_api_token(row)  # again: nothing more happens
    assert ApiToken.objects.get(pk=row.pk).revoked_at == stored.revoked_at
    (event,) = AgentEvent.objects.filter(agent=agent, action="api_token.revoked")
    assert (event.actor, event.field, event.before) == (agent, "revoked_at", None)
    assert event.after == {"name": "old", "lookup": row.lookup, "revoked_at": stored.revoked_at.isoformat()}


@pytest.mark.parametrize("token", ["", "cdt_", "nope", "cdt_00000000" + "x" * 40, "Bearer x", "cdt_\x00" * 20])
def test_agent_for_token_refuses_unknown_tokens(agent, token):
    create_api_token(agent)
    assert agent_for_token(token) is None


def test_agent_for_token_refuses_a_token_with_the_right_lookup_but_wrong_secret(agent):
    row, token = create_api_token(agent)
    assert agent_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_agent_for_token_refuses_a_deactivated_agent(agent):
    _, token = create_api_token(agent)
    Agent.objects.filter(pk=agent.pk).update(is_active=False)  # test setup
    assert agent_for_token(token) is None
