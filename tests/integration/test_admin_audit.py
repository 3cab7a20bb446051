"""The configuration site changes agents and API tokens through the core actions: every change has its AgentEvent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from caredesk.core import roles
from caredesk.core.actions import activate_agent, deactivate_agent, set_roles, set_skills, update_agent
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import Agent, AgentEvent, ApiToken


@pytest.fixture
def admin_client(client, admin_agent):
    client.force_login(admin_agent)
    return client


def _change_form(agent: Agent, **overrides) -> dict:
    data = {
        "first_name": agent.first_name, "last_name": agent.last_name, "email": agent.email, "is_active": "on",
        "groups": [group.pk for group in agent.groups.all()], "presence": agent.presence,
        "skills": [skill.pk for skill in agent.skills.all()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def events(agent: Agent) -> list[tuple]:
    return [(event.action, event.field, event.before, event.after)
            for event in AgentEvent.objects.filter(agent=agent).exclude(action="agent.created")]


def test_roles_active_flag_and_details_changed_in_the_admin_are_audited(admin_client, admin_agent, agent):
    lead = Group.objects.get(name=roles.RESOLUTION_LEAD)
    response = admin_client.post(f"/admin/core/agent/{agent.pk}/change/", _change_form(
        agent, groups=[lead.pk], is_active=None, last_name="Lopez-Diaz", presence="busy",
    ))
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = Agent.objects.get(pk=agent.pk)
    assert (agent.is_active, agent.last_name, agent.role_names) == (False, "Lopez-Diaz", {roles.RESOLUTION_LEAD})
    assert sorted(events(agent)) == sorted([
        ("agent.changed", "last_name", "Lopez", "Lopez-Diaz"),
        ("presence.changed", "presence", "offline", "busy"),
        ("agent.deactivated", "is_active", True, False),
        ("roles.changed", "roles", [roles.AGENT], [roles.RESOLUTION_LEAD]),
    ])
    assert {event.actor for event in AgentEvent.objects.filter(agent=agent).exclude(action="agent.created")} == {
        admin_agent}


def test_an_unchanged_form_writes_no_event(admin_client, agent):
    response = admin_client.post(f"/admin/core/agent/{agent.pk}/change/", _change_form(agent))
    assert response.status_code == 302
    assert events(agent) == []


def test_an_agent_added_in_the_admin_is_created_by_the_action(admin_client, admin_agent):
    response = admin_client.post("/admin/core/agent/add/", {
        "username": "newcomer", "usable_password": "true", "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = Agent.objects.get(username="newcomer")
    assert agent.check_password("a-long-enough-passphrase") and agent.role_names == {roles.AGENT}
    event = AgentEvent.objects.get(agent=agent)
    assert (event.action, event.actor) == ("agent.created", admin_agent)


def test_a_password_set_or_removed_in_the_admin_is_audited_without_its_value(admin_client, admin_agent, agent):
    url = f"/admin/core/agent/{agent.pk}/password/"
    response = admin_client.post(url, {"usable_password": "true", "password1": "another-long-passphrase",
                                       "password2": "another-long-passphrase", "set-password": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agent.objects.get(pk=agent.pk).check_password("another-long-passphrase")
    admin_client.post(url, {"usable_password": "false", "unset-password": "1"})
    assert not Agent.objects.get(pk=agent.pk).has_usable_password()
    assert events(agent) == [("password.changed", "password", None, None), ("password.removed", "password", None, None)]
    assert {event.actor for event in AgentEvent.objects.filter(agent=agent, field="password")} == {admin_agent}


def test_agents_are_deactivated_not_deleted_and_roles_are_the_shipped_ones(admin_client, agent):
    assert admin_client.post(f"/admin/core/agent/{agent.pk}/delete/", {"post": "yes"}).status_code == 403
    stray = Group.objects.create(name="Janitors")
    page = admin_client.get(f"/admin/core/agent/{agent.pk}/change/").content.decode()
    assert roles.RESOLUTION_LEAD in page and stray.name not in page


def test_a_token_made_in_the_admin_is_audited_and_only_for_active_agents(admin_client, admin_agent, agent, roleless):
    deactivate_agent(roleless)
    assert admin_client.post("/admin/core/apitoken/add/", {"agent": roleless.pk, "name": "x"}).status_code == 200
    response = admin_client.post("/admin/core/apitoken/add/", {"agent": agent.pk, "name": "integration"})
    assert response.status_code == 302
    token = ApiToken.objects.get(agent=agent)
    event = AgentEvent.objects.get(agent=agent, action="api_token.created")
    assert (event.actor, event.after["lookup"]) == (admin_agent, token.lookup)


# --- the actions themselves ----------------------------------------------------------------------


def test_set_roles_grants_the_configuration_site_with_the_admin_role(agent, admin_agent):
    actor = Actor.of_agent(admin_agent)
    set_roles(agent, [roles.ADMIN, roles.AGENT], actor=actor)
    agent = Agent.objects.get(pk=agent.pk)
    assert agent.is_staff and agent.is_superuser and agent.can(roles.CONFIGURE)
    set_roles(agent, [roles.AGENT, roles.ADMIN], actor=actor)  # the same roles: no event
    set_roles(agent, [roles.AGENT], actor=actor)
    agent = Agent.objects.get(pk=agent.pk)
    assert not agent.is_staff and not agent.can(roles.CONFIGURE)
    assert [after for _, _, _, after in events(agent)] == [[roles.ADMIN, roles.AGENT], [roles.AGENT]]


def test_set_roles_refuses_an_unknown_role(agent):
    with pytest.raises(ValidationFailed) as caught:
        set_roles(agent, ["Janitor"])
    assert caught.value.field == "roles" and events(agent) == []


def test_activate_skills_and_details(agent):
    deactivate_agent(agent)
    activate_agent(agent)
    activate_agent(agent)  # already active: nothing to record
    set_skills(agent, ["Spanish", " Passports ", "Spanish"])
    update_agent(agent, email=" maria@example.com ", first_name="Maria")
    assert Agent.objects.get(pk=agent.pk).email == "maria@example.com"
    assert events(agent) == [
        ("agent.deactivated", "is_active", True, False),
        ("agent.activated", "is_active", False, True),
        ("skills.changed", "skills", [], ["Passports", "Spanish"]),
        ("agent.changed", "email", "", "maria@example.com"),
    ]
    with pytest.raises(ValidationFailed):
        update_agent(agent, username="other")
