"""The Care Clarifications Form (SOP 000): filled in by an agent on a RESOLVED ticket, never on a customer's
reply to a closed ticket; its two categories are SOP 000's, their sub-categories a list the team edits.
Written only by caredesk.clarifications.actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from caredesk.customers.models import ConfigurableEntry
from caredesk.tickets.models import Ticket


class Category(models.TextChoices):
    """SOP 000: "Please limit feedback in this form to Builder/ Agent Feedback and Care Clarification category
    only"; process feedback goes by email instead."""

    BUILDER_AGENT_FEEDBACK = "builder_agent_feedback", "Builder/Agent Feedback"
    CARE_CLARIFICATION = "care_clarification", "Care Clarification"


class SubCategory(ConfigurableEntry):
    """A more specific sub-category of one of the two categories: the team edits them (admin site)."""

    category = models.CharField(max_length=32, choices=Category.choices)

    class Meta(ConfigurableEntry.Meta):
        verbose_name_plural = "sub-categories"
        ordering = ["category", "position", "name"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} › {self.name}"


class Clarification(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="clarifications")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clarifications")
    category = models.CharField(max_length=32, choices=Category.choices)
    sub_category = models.ForeignKey(SubCategory, on_delete=models.PROTECT, related_name="clarifications")
    details = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="clarification_created"),
                   models.Index(fields=["ticket", "created_at"], name="clarification_ticket")]

    def __str__(self) -> str:
        return f"clarification on #{self.ticket_id}: {self.sub_category}"
