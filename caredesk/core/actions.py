"""The only writers of agents, roles, presence and API tokens."""

from __future__ import annotations

import time

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from caredesk.core import clock, roles
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.models import Agent, AgentEvent, ApiToken, Skill

SYSTEM = Actor.system("caredesk")


def _record(actor: Actor | None, agent: Agent, action: str, **details) -> AgentEvent:
    event = AgentEvent.build(actor or SYSTEM, action, agent=agent, **details)
    event.save()
    return event


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
    actor: Actor | None = None,
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
    _record(actor, agent, "agent.created", after={
        "username": username, "email": email, "roles": sorted(set(role_names)), "skills": sorted(set(skills)),
    })
    return agent


@transaction.atomic
def set_presence(agent: Agent, presence: str, *, actor: Actor | None = None) -> Agent:
    if presence not in Agent.Presence.values:
        raise ValidationFailed(
            f"Presence must be one of {', '.join(Agent.Presence.values)}.", field="presence"
        )
    before = Agent.objects.select_for_update().values_list("presence", flat=True).get(pk=agent.pk)
    if before != presence:
        Agent.objects.filter(pk=agent.pk).update(presence=presence)
        _record(actor, agent, "presence.changed", field="presence", before=before, after=presence)
    agent.presence = presence
    return agent


@transaction.atomic
def deactivate_agent(agent: Agent, *, actor: Actor | None = None) -> Agent:
    """An agent who leaves: they can no longer sign in or use their tokens; their history stays."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    if agent.is_active:
        agent.is_active = False
        agent.presence = Agent.Presence.OFFLINE
        agent.save(update_fields=["is_active", "presence"])
        _record(actor, agent, "agent.deactivated", field="is_active", before=True, after=False)
        transaction.on_commit(forget_cached_tokens)
    return agent


@transaction.atomic
def create_api_token(agent: Agent, name: str = "api", *, actor: Actor | None = None) -> tuple[ApiToken, str]:
    """Create a token for `agent`; returns the row and the token text, which is never shown again."""
    if not agent.is_active:
        raise Conflict(f"Agent {agent.username!r} is deactivated.", field="agent")
    token, lookup = ApiToken.generate()
    row = ApiToken.objects.create(
        agent=agent, name=name[:100] or "api", lookup=lookup, digest=ApiToken.digest_of(token),
        created_at=clock.now(),
    )
    _record(actor, agent, "api_token.created", after={"name": row.name, "lookup": lookup})
    return row, token


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: Actor | None = None) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("agent").get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        forget_cached_tokens()  # now for this process, and again at commit in case a request re-read it
        transaction.on_commit(forget_cached_tokens)
        _record(actor, token.agent, "api_token.revoked", field="revoked_at", before=None,
                after={"name": token.name, "lookup": token.lookup, "revoked_at": token.revoked_at.isoformat()})
    return token


TOKEN_CACHE_SECONDS = 5.0
_recent_tokens: dict[str, tuple[float, Agent]] = {}  # token digest -> (checked at, agent), per process


def agent_for_token(token: str) -> Agent | None:
    """The active agent a token belongs to, or None. Reads only.

    A token checked in the last few seconds is trusted without reading the database again, so a busy
    client costs no query per request; a revocation or deactivation is seen by every process within
    TOKEN_CACHE_SECONDS, and at once by the process that made it.
    """
    lookup = ApiToken.lookup_of(token)
    if lookup is None:
        return None
    digest = ApiToken.digest_of(token)
    remembered = _recent_tokens.get(digest)
    if remembered is not None and time.monotonic() - remembered[0] < TOKEN_CACHE_SECONDS:
        return remembered[1]
    row = ApiToken.objects.select_related("agent").filter(lookup=lookup, revoked_at__isnull=True).first()
    if row is None or not row.matches(token) or not row.agent.is_active:
        _recent_tokens.pop(digest, None)
        return None
    row.agent.capabilities  # resolve the roles now, once, rather than on every cached request
    if len(_recent_tokens) > 10_000:
        _recent_tokens.clear()
    _recent_tokens[digest] = (time.monotonic(), row.agent)
    return row.agent


def forget_cached_tokens() -> None:
    """Drop every remembered token check (after a revocation, a deactivation or a role change)."""
    _recent_tokens.clear()