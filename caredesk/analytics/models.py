"""Per-ticket facts the reports aggregate: computed from each ticket's own audit events (so any past range can be
recomputed), refreshed by a due-time sweep whenever the ticket changes. A projection, not a domain record:
written only by caredesk.analytics.actions, never edited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caredesk.customers.models import Customer
from caredesk.tickets.models import Category, Group, Ticket


DIMENSIONS = ["group", "assignee", "category", "channel", "priority"]  # what a report filters on


class TicketFacts(models.Model):
    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.PROTECT, related_name="facts")
    next_due_at = models.DateTimeField(null=True, blank=True, help_text="Set when the ticket changed: recompute.")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # the ticket's dimensions as they are now
    created_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, blank=True)
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, blank=True)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    requester = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # what its events say
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_solved_at = models.DateTimeField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    agent_replies = models.PositiveIntegerField(default=0, help_text="Public agent responses before the first solve.")
    one_touch = models.BooleanField(null=True, help_text="Solved after one agent response and never reopened.")

    class Meta:
        verbose_name_plural = "ticket facts"
        # The indexes of a report's range carry the columns the report reads (PostgreSQL's INCLUDE; SQLite
        # ignores it), so a report over a range is an index-only scan rather than a visit of every row's page.
        indexes = [
            models.Index(fields=["next_due_at"], condition=Q(next_due_at__isnull=False), name="facts_due"),
            models.Index(fields=["created_at"], include=["ticket", *DIMENSIONS, "requester"],
                         name="facts_created_covering"),
            models.Index(fields=["first_solved_at"], name="facts_solved_covering", include=[
                "ticket", *DIMENSIONS, "one_touch", "resolution_seconds", "resolution_business_seconds"]),
            models.Index(fields=["first_response_at"], name="facts_responded_covering", include=[
                "ticket", *DIMENSIONS, "first_response_seconds", "first_response_business_seconds"]),
            models.Index(fields=["first_reopened_at"], name="facts_reopened"),
            models.Index(fields=["created_at"], condition=Q(first_solved_at__isnull=True),
                         include=["ticket", *DIMENSIONS], name="facts_unsolved_covering"),
            models.Index(fields=["assignee", "created_at"], name="facts_assignee_created"),
            models.Index(fields=["group", "created_at"], name="facts_group_created"),
        ]

    def __str__(self) -> str:
        return f"facts of #{self.ticket_id}"
