"""Read-side queries of tickets: lists, queues and timelines with a fixed number of SQL queries."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from caredesk.tickets import lifecycle
from caredesk.tickets.models import Attachment, Interaction, Ticket


def tickets_for_display() -> QuerySet[Ticket]:
    """Tickets with everything a list row or ticket header shows: 3 queries whatever the page size.

    The requester is prefetched, not joined: with an inner join SQLite's planner scans the customers
    first and sorts every ticket, where a page newest-first should read the ticket index backwards.
    """
    return Ticket.objects.select_related(
        "ticket_type", "category", "group", "assignee", "order"
    ).prefetch_related("requester", "tags")


def filter_tickets(
    queryset: QuerySet[Ticket],
    *,
    statuses: list[str] | None = None,
    ticket_type=None,
    group=None,
    assignee=None,
    requester_id: int | None = None,
    tag: str | None = None,
    priority: int | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Ticket]:
    """`assignee` is an Agent, or "none" for unassigned tickets."""
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if ticket_type is not None:
        queryset = queryset.filter(ticket_type=ticket_type)
    if group is not None:
        queryset = queryset.filter(group=group)
    if assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee is not None:
        queryset = queryset.filter(assignee=assignee)
    if requester_id is not None:
        queryset = queryset.filter(requester_id=requester_id)
    if tag:  # a subquery over the (tag, ticket) index: a join would make SQLite sort every tagged ticket
        links = Ticket.tags.through.objects.filter(tag__name=tag.lower()).values("ticket_id")
        queryset = queryset.filter(pk__in=links)
    if priority is not None:
        queryset = queryset.filter(priority=priority)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    return queryset


def agent_queue(agent) -> QuerySet[Ticket]:
    """The agent's own active tickets, newest first (the index on assignee, status, id serves it)."""
    return tickets_for_display().filter(assignee=agent, status__in=lifecycle.ACTIVE_STATUSES)


def timeline(ticket: Ticket) -> QuerySet[Interaction]:
    """A ticket's interactions in order, with authors and attachments: 2 queries whatever its length."""
    return (
        Interaction.objects.filter(ticket=ticket)
        .select_related("author_agent", "author_customer")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("occurred_at", "id")
    )
