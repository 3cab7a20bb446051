"""The only writers of agents, their roles, skills, presence and API tokens; each change writes an AgentEvent.
The Django admin changes agents through these too (core/admin.py), and records every change of a team's
configuration it makes (lists, rules, templates, calendars, policies) with `save_configuration`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction

from caredesk.core import audit, clock, roles
from caredesk.core.audit import Actor
from caredesk.core.changes import apply_changes, audit_value
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.models import Agent, AgentEvent, ApiToken, ConfigurationEvent, Skill

SYSTEM = Actor.system("caredesk")


AGENT_DETAILS = ("first_name", "last_name", "email")


def record_agent_event(actor: Actor | None, agent: Agent, action: str, **details) -> AgentEvent:
    """An event of `agent`'s audit trail, also for what the agent owns elsewhere (their saved views)."""
    return audit.write(AgentEvent.build(actor or SYSTEM, action, agent=agent, **details))


def _check_roles(role_names) -> list[str]:
    unknown = sorted(set(role_names) - set(roles.ALL_ROLES))
    if unknown:
        raise ValidationFailed(
            f"Unknown role {unknown[0]!r}; roles are: {', '.join(roles.ALL_ROLES)}.", field="roles"
        )
    return sorted(set(role_names))


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
    _check_roles(role_names)
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
    record_agent_event(actor, agent, "agent.created", after={
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
        record_agent_event(actor, agent, "presence.changed", field="presence", before=before, after=presence)
    agent.presence = presence
    return agent


@transaction.atomic
def update_agent(agent: Agent, *, actor: Actor | None = None, **changes: str) -> Agent:
    """An agent's name and email: one "agent.changed" event per field that really changed."""
    unknown = sorted(set(changes) - set(AGENT_DETAILS))
    if unknown:
        raise ValidationFailed(f"{unknown[0]} cannot be changed here.", field=unknown[0])
    current = Agent.objects.select_for_update().get(pk=agent.pk)
    changed = apply_changes(current, {name: (value or "").strip() for name, value in changes.items()})
    if changed:
        current.save(update_fields=[name for name, _, _ in changed])
        for name, before, after in changed:
            record_agent_event(actor, current, "agent.changed", field=name, before=before, after=after)
    return current


@transaction.atomic
def set_password(agent: Agent, password: str | None, *, actor: Actor | None = None,
                 check_password: bool = True) -> Agent:
    """A new sign-in password, or none (`password` None: the agent no longer signs in with one). The event
    says that it changed, never what it is."""
    current = Agent.objects.select_for_update().get(pk=agent.pk)
    if password:
        if check_password:
            try:
                validate_password(password, current)
            except ValidationError as error:
                raise ValidationFailed(" ".join(error.messages), field="password") from None
        current.set_password(password)
    else:
        current.set_unusable_password()
    current.save(update_fields=["password"])
    record_agent_event(actor, current, "password.changed" if password else "password.removed", field="password")
    return current


@transaction.atomic
def set_roles(agent: Agent, role_names, *, actor: Actor | None = None) -> Agent:
    """Give the agent exactly these roles; the Admin role also opens the configuration site to them."""
    after = _check_roles(role_names)
    current = Agent.objects.select_for_update().get(pk=agent.pk)
    before = sorted(current.groups.values_list("name", flat=True))
    if before != after:
        current.groups.set(Group.objects.filter(name__in=after))
        current.is_staff = current.is_superuser = roles.ADMIN in after
        current.save(update_fields=["is_staff", "is_superuser"])
        record_agent_event(actor, current, "roles.changed", field="roles", before=before, after=after)
        transaction.on_commit(forget_cached_tokens)  # a token's requests are checked against the new roles
    return current


@transaction.atomic
def set_skills(agent: Agent, skill_names, *, actor: Actor | None = None) -> Agent:
    """Give the agent exactly these routing skills (created when new)."""
    after = sorted({name.strip() for name in skill_names if name and name.strip()})
    current = Agent.objects.select_for_update().get(pk=agent.pk)
    before = sorted(current.skills.values_list("name", flat=True))
    if before != after:
        current.skills.set([Skill.objects.get_or_create(name=name)[0] for name in after])
        record_agent_event(actor, current, "skills.changed", field="skills", before=before, after=after)
    return current


@transaction.atomic
def activate_agent(agent: Agent, *, actor: Actor | None = None) -> Agent:
    """An agent who comes back: they sign in and use their (unrevoked) tokens again."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    if not agent.is_active:
        agent.is_active = True
        agent.save(update_fields=["is_active"])
        record_agent_event(actor, agent, "agent.activated", field="is_active", before=False, after=True)
        transaction.on_commit(forget_cached_tokens)
    return agent


@transaction.atomic
def deactivate_agent(agent: Agent, *, actor: Actor | None = None) -> Agent:
    """An agent who leaves: they can no longer sign in or use their tokens; their history stays."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    if agent.is_active:
        agent.is_active = False
        agent.presence = Agent.Presence.OFFLINE
        agent.save(update_fields=["is_active", "presence"])
        record_agent_event(actor, agent, "agent.deactivated", field="is_active", before=True, after=False)
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
    record_agent_event(actor, agent, "api_token.created", after={"name": row.name, "lookup": lookup})
    return row, token


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: Actor | None = None) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("agent").get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        forget_cached_tokens()  # now for this process, and again at commit in case a request re-read it
        transaction.on_commit(forget_cached_tokens)
        record_agent_event(actor, token.agent, "api_token.revoked", field="revoked_at", before=None,
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


# --- a team's configuration, changed in the admin ---------------------------------------------------------


def configuration_values(row: models.Model, related: Sequence[str] = ()) -> dict:
    """What the audit trail keeps of a configuration row: its fields, its many-to-many values, and the rows
    of each `related` name (the reverse relations the admin edits inline: a calendar's weekly hours)."""
    values = _field_values(row)
    if row.pk is not None:
        for field in row._meta.many_to_many:
            values[field.name] = sorted(str(item) for item in getattr(row, field.name).all())
        for name in related:
            values[name] = [_field_values(item, parent=type(row)) for item in getattr(row, name).order_by("pk")]
    return values


def _field_values(row: models.Model, parent: type[models.Model] | None = None) -> dict:
    """A row's fields as audit values, but its key and (for an inline row) the field pointing to its parent."""
    return {field.name: audit_value(getattr(row, field.name)) for field in row._meta.concrete_fields
            if not field.primary_key and not (parent is not None and field.related_model is parent)}


def _configuration_event(actor: Actor, action: str, row: models.Model, object_id, **payload) -> None:
    audit.write(ConfigurationEvent.build(
        actor, action, model=row._meta.label_lower, object_id=str(object_id), object_label=str(row)[:200],
        **payload))


@transaction.atomic
def save_configuration(row: models.Model, *, actor: Actor, related: Sequence[str] = (),
                       save_related: Callable[[], None] = lambda: None) -> models.Model:
    """Save a configuration row and, with `save_related`, what is saved with it (the admin's many-to-many
    values and inline rows, the `related` names), with a ConfigurationEvent of what changed:
    `configuration.created`, or `.changed` with the fields that differ, before and after. Saved unchanged, it
    writes no event."""
    stored = type(row)._base_manager.filter(pk=row.pk).first() if row.pk is not None else None
    before = configuration_values(stored, related) if stored is not None else None
    row.save()
    save_related()
    after = configuration_values(row, related)
    if before is None:
        _configuration_event(actor, "configuration.created", row, row.pk, after=after)
        return row
    changed = [name for name in after if after[name] != before.get(name)]
    if changed:
        _configuration_event(actor, "configuration.changed", row, row.pk,
                             before={name: before.get(name) for name in changed},
                             after={name: after[name] for name in changed})
    return row


@transaction.atomic
def delete_configuration(rows: Iterable[models.Model], *, actor: Actor, related: Sequence[str] = ()) -> int:
    """Remove configuration rows, each with a `configuration.deleted` event keeping what it held."""
    count = 0
    for row in rows:
        before, object_id = configuration_values(row, related), row.pk
        row.delete()
        _configuration_event(actor, "configuration.deleted", row, object_id, before=before)
        count += 1
    return count
