"""The flag "additional review": a ticket where a text matched one of SOP 002's sensitive issues."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from caredesk.tickets.models import Interaction, Ticket


class ReviewFlag(models.Model):
    """One qualifier raised on a ticket until an agent clears it with a reason. Written only by
    caredesk.review.actions; at most one open flag per ticket and qualifier."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="review_flags")
    qualifier = models.SlugField(max_length=64, help_text="The qualifier's key in the sensitive-issues file.")
    qualifier_name = models.CharField(max_length=200, help_text="Its name when the flag was raised.")
    matched = models.JSONField(default=list, help_text="The words of the texts that matched, as written.")
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.PROTECT, related_name="review_flags",
        help_text="The timeline entry whose text first matched; empty for the ticket's subject or description.",
    )
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clear_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "qualifier"], condition=Q(cleared_at__isnull=True),
                                    name="review_flag_open_once"),
        ]

    def __str__(self) -> str:
        return f"{self.qualifier_name} on #{self.ticket_id}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None
