"""Saved views: an agent's own queue filters, optionally shared with everyone holding one of their roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A named set of view filters (the query string of the Views page, as a dict).

    `shared_with` is a role (a Django auth group): every agent holding it sees the view under
    "Team views". Only the owner changes or removes it, through caredesk.web.actions.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    shared_with = models.ForeignKey(
        "auth.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="shared_views",
        help_text="The role whose agents also see this view.",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_name")]
        indexes = [models.Index(fields=["shared_with", "name"], name="saved_view_shared")]

    def __str__(self) -> str:
        return self.name
