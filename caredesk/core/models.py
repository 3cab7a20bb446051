"""Agents (the Django user model), their skills and presence, and their API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from caredesk.core import roles
from caredesk.core.audit import AuditEvent


class Skill(models.Model):
    """A routing skill, e.g. "Resolution Lead" for warm transfers, or a language."""

    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agent(AbstractUser):
    class Presence(models.TextChoices):
        AVAILABLE = "available"
        BUSY = "busy"
        OFFLINE = "offline"

    presence = models.CharField(max_length=16, choices=Presence.choices, default=Presence.OFFLINE)
    skills = models.ManyToManyField(Skill, blank=True, related_name="agents")

    class Meta:
        ordering = ["username"]
        verbose_name = "agent"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        if self.is_superuser:
            return frozenset(roles.ALL_ROLES)
        return frozenset(self.groups.values_list("name", flat=True))

    @cached_property
    def capabilities(self) -> frozenset[str]:
        return roles.capabilities_of(self.role_names)

    def can(self, capability: str) -> bool:
        return self.is_active and capability in self.capabilities


class ApiToken(models.Model):
    """A per-agent API token. Only a SHA-256 digest is kept; the token is shown once, when created.

    The token is 32 random bytes, so a fast digest is as safe as a slow password hash and keeps the
    per-request check to microseconds.
    """

    PREFIX = "cdt_"
    LOOKUP_LENGTH = 8

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    lookup = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.PREFIX}{self.lookup}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def generate(cls) -> tuple[str, str]:
        """A new (token, lookup) pair."""
        lookup = secrets.token_hex(cls.LOOKUP_LENGTH // 2)
        return f"{cls.PREFIX}{lookup}{secrets.token_urlsafe(32)}", lookup

    @classmethod
    def lookup_of(cls, token: str) -> str | None:
        if not token.startswith(cls.PREFIX) or len(token) < len(cls.PREFIX) + cls.LOOKUP_LENGTH + 16:
            return None
        lookup = token[len(cls.PREFIX) : len(cls.PREFIX) + cls.LOOKUP_LENGTH]
        # Only hex reaches the database: a forged token with a NUL byte would make PostgreSQL fail.
        return lookup if all(char in "0123456789abcdef" for char in lookup) else None

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(self.digest, self.digest_of(token))


class AgentEvent(AuditEvent):
    """Audit trail of agents: their creation, presence and API tokens."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="audit_events")

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["agent", "at"], name="agent_event_timeline")]


class ConfigurationEvent(AuditEvent):
    """Audit trail of a team's configuration changed in the admin: list entries, rules, templates, calendars,
    SLA policies. `model` is the row's "app_label.model", `object_label` its name when the event was written."""

    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200)

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["model", "object_id", "at"], name="configuration_event_history")]


class Heartbeat(models.Model):
    """The last sign of life of one long-running process (the worker after each sweep, the SMTP receiver and
    its processing process while they run), where `/api/v1/health` reads it from any host."""

    component = models.CharField(max_length=32)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["component", "host", "pid"], name="heartbeat_process")]
        indexes = [models.Index(fields=["component", "beat_at"], name="heartbeat_latest")]

    def __str__(self) -> str:
        return f"{self.component} on {self.host} (pid {self.pid})"
