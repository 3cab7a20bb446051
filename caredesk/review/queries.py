"""Read side of the review flags: a ticket's flags, and the tickets that need additional review."""

from __future__ import annotations

from django.db.models import QuerySet

from caredesk.review.models import ReviewFlag
from caredesk.tickets.models import Ticket


def open_flags(ticket: Ticket) -> list[ReviewFlag]:
    """The ticket's flags not cleared yet, oldest first (1 query)."""
    return list(ReviewFlag.objects.filter(ticket=ticket, cleared_at__isnull=True).order_by("raised_at", "id"))


def ticket_flags(ticket: Ticket) -> list[ReviewFlag]:
    """All the ticket's flags, open and cleared, oldest first, with who cleared them (1 query)."""
    return list(ReviewFlag.objects.filter(ticket=ticket).select_related("cleared_by").order_by("raised_at", "id"))


def needing_review() -> QuerySet:
    """The ids of tickets with an open flag: a subquery for a ticket filter (`id__in`)."""
    return ReviewFlag.objects.filter(cleared_at__isnull=True).values("ticket_id")
