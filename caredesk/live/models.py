"""What keeps the workspace live: each agent's own settings (their time zone) and who is on a ticket's page
right now (presence, from the pages' heartbeats)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AgentSettings(models.Model):
    """An agent's own workspace settings. `time_zone` blank: the team's (CAREDESK_TEAM_TIME_ZONE)."""

    agent = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                 related_name="workspace_settings")
    time_zone = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name_plural = "agent settings"


class TicketPresence(models.Model):
    """An agent with a ticket's page open (viewing) or writing in its composer (replying), as of `seen_at`, their
    page's last heartbeat. A row whose heartbeat is older than CAREDESK_PRESENCE_SECONDS is no presence."""

    class State(models.TextChoices):
        VIEWING = "viewing"
        REPLYING = "replying"

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.VIEWING)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "agent"], name="ticket_presence_agent")]
        indexes = [models.Index(fields=["ticket", "seen_at"], name="ticket_presence_recent")]
