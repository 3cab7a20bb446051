"""In-app notifications: what an agent is told (assigned a ticket, the customer replied, mentioned in a note,
an SLA warning), shown under the workspace's bell until they read it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caredesk.customers.models import ConfigurableEntry


class NotificationKind(ConfigurableEntry):
    """What a notification is about (a list the team edits in the admin: rename a kind, or turn it off with
    `active`). `key` is what the code asks for: `assigned`, `customer_replied`, `mentioned`, `sla_warning`."""


class Notification(models.Model):
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.ForeignKey(NotificationKind, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["agent", "read_at", "id"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text
