"""The only writers of agents, roles, presence and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from caredesk.core import clock, roles
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.models import Agent, ApiToken, Skill


@transaction.atomic
def create_agent(
    *,
    username: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role_names: tuple[str, ...] | list[str] = (roles.AGENT,),
    skills: tuple[str, ...] | list[str] = (),
    check_password: bool = True,
) -> Agent:
    username = (username or "").strip()
    if not username:
        raise ValidationFailed("A username is required.", field="username")
    if Agent.objects.filter(username__iexact=username).exists():
        raise Conflict(f"An agent named {username!r} already exists.", field="username")
    unknown = sorted(set(role_names) - set(roles.ALL_ROLES))
    if unknown:
        raise ValidationFailed(
            f"Unknown role {unknown[0]!r}; roles are: {', '.join(roles.ALL_ROLES)}.", field="roles"
        )
    agent = Agent(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        if check_password:
            try:
                validate_password(password, agent)
            except ValidationError as error:
                raise ValidationFailed(" ".join(error.messages), field="password") from None
        agent.set_password(password)
    else:
        agent.set_unusable_password()
    agent.is_staff = roles.ADMIN in role_names
    agent.is_superuser = roles.ADMIN in role_names
    agent.save()
    agent.groups.set(Group.objects.filter(name__in=role_names))
    for skill_name in skills:
        skill, _ = Skill.objects.get_or_create(name=skill_name)
        agent.skills.add(skill)
    return agent


@transaction.atomic
def set_presence(agent: Agent, presence: str) -> Agent:
    if presence not in Agent.Presence.values:
        raise ValidationFailed(
            f"Presence must be one of {', '.join(Agent.Presence.values)}.", field="presence"
        )
    Agent.objects.filter(pk=agent.pk).update(presence=presence)
    agent.presence = presence
    return agent


@transaction.atomic
def create_api_token(agent: Agent, name: str = "api") -> tuple[ApiToken, str]:
    """Create a token for `agent`; returns the row and the token text, which is never shown again."""
    if not agent.is_active:
        raise Conflict(f"Agent {agent.username!r} is deactivated.", field="agent")
    token, lookup = ApiToken.generate()
    row = ApiToken.objects.create(
        agent=agent, name=name[:100] or "api", lookup=lookup, digest=ApiToken.digest_of(token),
        created_at=clock.now(),
    )
    return row, token


@transaction.atomic
def revoke_api_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def agent_for_token(token: str) -> Agent | None:
    """The active agent a token belongs to, or None. Reads only."""
    lookup = ApiToken.lookup_of(token)
    if lookup is None:
        return None
    row = ApiToken.objects.select_related("agent").filter(lookup=lookup, revoked_at__isnull=True).first()
    if row is None or not row.matches(token) or not row.agent.is_active:
        return None
    return row.agent
