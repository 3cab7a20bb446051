"""Read-side queries of tickets: lists, queues and timelines with a fixed number of SQL queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


def ticket_conditions(
    *,
    statuses: list[str] | None = None,
    ticket_type=None,
    group=None,
    category=None,
    assignee=None,
    requester_id: int | None = None,
    tag: str | None = None,
    priority: int | None = None,
    updated_since: datetime | None = None,
    updated_before: datetime | None = None,
) -> list[tuple[str, str, Any]]:
    """Ticket filters as (column, lookup, value), for the API's lists and the workspace's views alike.

    List entries and the assignee may be rows or primary keys; `assignee="none"` means unassigned.
    """
    conditions: list[tuple[str, str, Any]] = []
    if statuses:
        conditions.append(("status", "in", statuses))
    for column, value in (("ticket_type_id", ticket_type), ("group_id", group), ("category_id", category)):
        if value is not None:
            conditions.append((column, "exact", getattr(value, "pk", value)))
    if assignee == "none":
        conditions.append(("assignee_id", "isnull", True))
    elif assignee is not None:
        conditions.append(("assignee_id", "exact", getattr(assignee, "pk", assignee)))
    if requester_id is not None:
        conditions.append(("requester_id", "exact", requester_id))
    if tag:  # a subquery over the (tag, ticket) index: a join would make SQLite sort every tagged ticket
        links = Ticket.tags.through.objects.filter(tag__name=tag.lower()).values("ticket_id")
        conditions.append(("id", "in", links))
    if priority is not None:
        conditions.append(("priority", "exact", priority))
    if updated_since is not None:
        conditions.append(("updated_at", "gte", updated_since))
    if updated_before is not None:
        conditions.append(("updated_at", "lte", updated_before))
    return conditions


def filter_tickets(queryset: QuerySet[Ticket], **filters) -> QuerySet[Ticket]:
    """`queryset` narrowed by `ticket_conditions(**filters)`."""
    for column, lookup, value in ticket_conditions(**filters):
        queryset = queryset.filter(**{f"{column}__{lookup}": value})
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
