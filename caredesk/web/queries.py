"""Read-side queries of the workspace: views (queues) with capped counts, keyset pages, the merged ticket
timeline, My work and search. Each function runs a fixed number of SQL queries whatever the data size.
"""

from __future__ import annotations

import base64
import heapq
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (BooleanField, DateTimeField, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery,
                              Value)
from django.urls import reverse

from caredesk.core import clock, events
from caredesk.core.models import Agent
from caredesk.desk.queries import group_ids_of
from caredesk.playbooks.models import FollowUpTask
from caredesk.review import queries as review_queries
from caredesk.tickets import lifecycle
from caredesk.tickets import queries as ticket_queries
from caredesk.tickets.models import Interaction, Ticket, TicketEvent

COUNT_CAP = 1000
PAGE_SIZES = (25, 50, 100)

# --- views (queues) -------------------------------------------------------------------------------

STATUS_CHOICES = [
    ("active", "Active (new, open, pending, on hold)"),
    ("unsolved", "Unsolved (new, open, on hold)"),
    *[(value, label) for value, label in (
        (lifecycle.NEW, "New"), (lifecycle.OPEN, "Open"), (lifecycle.PENDING, "Pending"),
        (lifecycle.ON_HOLD, "On hold"), (lifecycle.SOLVED, "Solved"), (lifecycle.CLOSED, "Closed"),
    )],
    ("any", "Any status"),
]
STATUS_SETS = {
    "active": list(lifecycle.ACTIVE_STATUSES),
    "unsolved": [lifecycle.NEW, lifecycle.OPEN, lifecycle.ON_HOLD],
    "any": None,
}
# Age is the time since the ticket last changed (its indexed updated_at): what a queue needs to chase.
AGE_CHOICES = [
    ("", "Any age"),
    ("fresh", "Updated in the last 24 hours"),
    ("1d", "Untouched for 1 day or more"),
    ("3d", "Untouched for 3 days or more"),
    ("7d", "Untouched for 7 days or more"),
    ("30d", "Untouched for 30 days or more"),
]
MY_GROUPS = "mine"  # the group filter's value for the groups the signed-in agent belongs to
REVIEW_CHOICES = [("", "Any"), ("needed", "Needs additional review")]
SORTS = {
    "updated": ("updated_at", "Last updated"),
    "number": ("id", "Ticket number"),
    "created": ("created_at", "Created"),
    "priority": ("priority", "Priority"),
    "breach": ("next_breach_at", "Next SLA breach"),  # only tickets with a running SLA clock (caredesk.sla)
}
BREACH_CHOICES = [("", "Any SLA"), ("breached", "SLA breached"), ("4h", "Breaches within 4 hours"),
                  ("24h", "Breaches within 24 hours"), ("running", "Any running SLA clock")]


@dataclass
class ViewFilters:
    """The cleaned filters of a view; `as_query()` gives them back as a query string dict."""

    status: str = "active"
    ticket_type: int | None = None
    group: int | str | None = None  # a group's id, or "mine": the groups the agent belongs to
    assignee: str = ""  # "", "me", "none" or an agent id
    tag: str = ""
    priority: int | None = None
    age: str = ""
    sort: str = "updated"
    direction: str = "desc"
    page_size: int = 25
    category: int | None = None
    review: str = ""  # "needed": only tickets flagged for additional review (SOP 002)
    breach: str = ""  # of BREACH_CHOICES: when the next SLA breach is

    def as_query(self) -> dict[str, str]:
        query = {
            "status": self.status, "type": self.ticket_type, "group": self.group, "assignee": self.assignee,
            "tag": self.tag, "priority": self.priority, "age": self.age, "category": self.category,
            "review": self.review, "breach": self.breach,
            "sort": self.sort if self.sort != "updated" else "", "dir": self.direction if self.direction != "desc" else "",
            "size": self.page_size if self.page_size != 25 else "",
        }
        return {key: str(value) for key, value in query.items() if value not in (None, "")}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def parse_filters(params) -> ViewFilters:
    """ViewFilters from a query string (or a saved view's dict); unknown values fall back to defaults."""
    status = params.get("status") or "active"
    if status not in dict(STATUS_CHOICES):
        status = "active"
    assignee = (params.get("assignee") or "").strip()
    if assignee not in ("", "me", "none") and _int_or_none(assignee) is None:
        assignee = ""
    sort = params.get("sort") or "updated"
    direction = params.get("dir") or "desc"
    size = _int_or_none(params.get("size")) or 25
    age = params.get("age") or ""
    review = params.get("review") or ""
    breach = params.get("breach") or ""
    return ViewFilters(
        status=status,
        ticket_type=_int_or_none(params.get("type")),
        group=MY_GROUPS if params.get("group") == MY_GROUPS else _int_or_none(params.get("group")),
        category=_int_or_none(params.get("category")),
        assignee=assignee,
        tag=(params.get("tag") or "").strip().lower()[:64],
        priority=_int_or_none(params.get("priority")),
        age=age if age in dict(AGE_CHOICES) else "",
        sort=sort if sort in SORTS else "updated",
        direction=direction if direction in ("asc", "desc") else "desc",
        page_size=size if size in PAGE_SIZES else 25,
        review=review if review in dict(REVIEW_CHOICES) else "",
        breach=breach if breach in dict(BREACH_CHOICES) else "",
    )


def _conditions(filters: ViewFilters, agent: Agent) -> list[tuple[str, str, Any]]:
    """The view's filters as (column, lookup, value): the API lists' conditions, from the view's fields."""
    if filters.assignee == "me":
        assignee = agent
    else:
        assignee = filters.assignee if filters.assignee == "none" else _int_or_none(filters.assignee)
    now = clock.now()
    updated_since = now - timedelta(hours=24) if filters.age == "fresh" else None
    updated_before = now - timedelta(days=int(filters.age[:-1])) if filters.age not in ("", "fresh") else None
    conditions = ticket_queries.ticket_conditions(
        statuses=STATUS_SETS.get(filters.status, [filters.status]), ticket_type=filters.ticket_type,
        group=None if filters.group == MY_GROUPS else filters.group, category=filters.category, assignee=assignee,
        tag=filters.tag, priority=filters.priority, updated_since=updated_since, updated_before=updated_before,
    )
    if filters.group == MY_GROUPS:
        conditions.append(("group_id", "in", group_ids_of(agent)))
    if filters.review == "needed":
        conditions.append(("id", "in", review_queries.needing_review()))
    if filters.breach or filters.sort == "breach":
        conditions.append(("sla__next_breach_at", "isnull", False))
    if filters.breach in ("breached", "4h", "24h"):
        within = {"breached": timedelta(0), "4h": timedelta(hours=4), "24h": timedelta(hours=24)}[filters.breach]
        conditions.append(("sla__next_breach_at", "lte", now + within))
    return conditions


class Unindexed(Func):
    """`+column` on SQLite: the same value, but the planner cannot answer the term from an index."""

    template = "(+%(expressions)s)"

    def __init__(self, column: str):
        field = Ticket._meta.get_field(column.removesuffix("_id") if column != "id" else column)
        output = IntegerField() if field.is_relation or field.primary_key else field.__class__()
        super().__init__(F(column), output_field=output)


class RowAfter(Func):
    """`(column, id) < (value, pk)` (or `>`): the keyset condition as a row value, which SQLite (3.15+) and
    PostgreSQL answer with a range on the (column, id) index, however deep the page."""

    output_field = BooleanField()

    def __init__(self, column: str, value: Any, pk: int, *, descending: bool):
        field = DateTimeField() if column == "next_breach_at" else type(Ticket._meta.get_field(column))()
        super().__init__(F(column), F("id"), Value(value, output_field=field), Value(pk, output_field=IntegerField()))
        self.operator = "<" if descending else ">"

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        return f"(({parts[0]}, {parts[1]}) {self.operator} ({parts[2]}, {parts[3]}))", params


def filtered_tickets(filters: ViewFilters, agent: Agent, queryset: QuerySet[Ticket] | None = None, *,
                     walking: str | None = None) -> QuerySet[Ticket]:
    """Tickets matching the view's filters. `walking` names the sort column whose index the page should
    walk: on SQLite the other filter columns are then written `+column`, which keeps the planner from
    choosing a filter's index and sorting every match (2-3 s for `status=open` at a million tickets).
    Only worth it when the filters match many rows; ticket_page decides from the capped count."""
    queryset = Ticket.objects.all() if queryset is None else queryset
    unindexed = walking is not None and connection.vendor == "sqlite"
    for column, lookup, value in _conditions(filters, agent):
        if unindexed and (column != walking or column == "id") and "__" not in column:  # (joined: as is)
            name = f"unindexed_{column}"
            queryset = queryset.alias(**{name: Unindexed(column)}).filter(**{f"{name}__{lookup}": value})
        else:
            queryset = queryset.filter(**{f"{column}__{lookup}": value})
    return queryset


def _encode_cursor(value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if isinstance(value, dict) and "t" in value:
            value = datetime.fromisoformat(value["t"])
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


@dataclass
class TicketPage:
    tickets: list[Ticket]
    next_cursor: str | None
    total: int
    total_capped: bool


def ticket_page(filters: ViewFilters, agent: Agent, cursor: str = "") -> TicketPage:
    """One keyset page of a view: rows after the cursor in (sort column, id) order, with a capped count.

    Four queries: the capped count, the page (with its related rows joined), its requesters and its tags.
    The count comes first because it chooses the plan: up to COUNT_CAP matches are found through the
    filters' indexes and sorted (cheap); more than that, the page walks the sort column's index (every
    sort has one: id, (updated_at, id), (created_at, id), (priority, id)) and stops after a page of
    matches, which reads about page size x tickets / matches rows.
    """
    column = SORTS[filters.sort][0]
    descending = filters.direction == "desc"
    total, capped = capped_counts([filtered_tickets(filters, agent)])[0]
    queryset = filtered_tickets(filters, agent, ticket_queries.tickets_for_display().annotate(
        next_breach_at=F("sla__next_breach_at")), walking=column if capped else None)
    position = _decode_cursor(cursor) if cursor else None
    if position is not None:
        value, pk = position
        if column == "id":
            queryset = queryset.filter(id__lt=pk) if descending else queryset.filter(id__gt=pk)
        else:
            queryset = queryset.filter(RowAfter(column, value, pk, descending=descending))
    ordering = [f"-{column}", "-id"] if descending else [column, "id"]
    if column == "id":
        ordering = ordering[:1]
    rows = list(queryset.order_by(*ordering)[: filters.page_size + 1])
    next_cursor = None
    if len(rows) > filters.page_size:
        rows = rows[: filters.page_size]
        last = rows[-1]
        next_cursor = _encode_cursor(getattr(last, column), last.pk)
    return TicketPage(rows, next_cursor, total, capped)


def capped_counts(querysets: list[QuerySet], cap: int = COUNT_CAP) -> list[tuple[int, bool]]:
    """Counts of several querysets in ONE query, each stopping at cap + 1 rows (shown as "1000+").

    Each count is `SELECT COUNT(*) FROM (SELECT id ... LIMIT cap+1)`, so it reads at most cap + 1 index
    entries whatever the table size.
    """
    if not querysets:
        return []
    parts, params = [], []
    for index, queryset in enumerate(querysets):
        try:
            sql, sub_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter nothing can match (the groups of an agent in none)
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{index})")
        params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return [(min(value, cap), value > cap) for value in row]


# --- the ticket page ------------------------------------------------------------------------------

HIDDEN_EVENT_PREFIXES = ("interaction.",)  # interactions show as themselves in the timeline,
SHOWN_ANYWAY = ("interaction.redacted",)  # but what was done to one afterwards is news
# How an audit event reads on a page: the registry's sentence in HTML, a mentioned ticket linked, times in the
# agent's zone (activated for the request by caredesk.live.middleware).
EVENT_STYLE = events.Style(html=True, zone=None,
                           ticket_url=lambda ticket_id: reverse("web:ticket", args=[ticket_id]))


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "interaction" or "event"
    interaction: Interaction | None = None
    event: TicketEvent | None = None
    events: list[TicketEvent] = field(default_factory=list)  # consecutive changes by one actor, grouped
    lines: list[str] = field(default_factory=list)  # how each of `events` reads, as HTML


def ticket_for_page(pk: int) -> Ticket | None:
    """The ticket with its requester's contact points and orders: 4 queries."""
    return (
        ticket_queries.tickets_for_display()
        .select_related("requester__customer_type", "order__industry", "follows_up")
        .prefetch_related("requester__contact_points", "attachments")
        .filter(pk=pk)
        .first()
    )


def merged_timeline(ticket: Ticket, *, with_audit: bool) -> list[TimelineEntry]:
    """Interactions and audit events in the order they happened. 2 queries for interactions (+attachments,
    each with the id of its own audit event), 1 for events (without the `interaction.*` ones, which the
    interactions show) and 1 for the follow-up tasks they name, if any. Consecutive field changes by the same
    actor within a minute are grouped into one entry.

    Things recorded together (a status change, the playbook it starts, the task it plans, the note "1/3")
    carry timestamps a few microseconds apart, in no reliable order: they are ordered by their audit event's
    id, the sequence they were written in. An interaction recorded after it happened (a call logged later,
    an email dated before it arrived) takes its place by the time it happened instead.
    """
    sequence = Subquery(TicketEvent.objects.filter(interaction=OuterRef("pk")).order_by("id").values("id")[:1])
    recorded, backdated = [], []
    for item in ticket_queries.timeline(ticket).annotate(sequence=sequence):
        entry = TimelineEntry(at=item.occurred_at, kind="interaction", interaction=item)
        if item.occurred_at < item.created_at or item.sequence is None:
            backdated.append(entry)
        else:
            recorded.append((item.sequence, entry))
    if with_audit:
        # Interactions' own events are left in the database: half the rows of a long timeline.
        hidden = Q()
        for prefix in HIDDEN_EVENT_PREFIXES:
            hidden |= Q(action__startswith=prefix)
        hidden &= ~Q(action__in=SHOWN_ANYWAY)
        shown = list(TicketEvent.objects.filter(ticket=ticket).exclude(hidden).select_related("actor")
                     .order_by("id"))
        previous: TimelineEntry | None = None
        for event, sentence in zip(shown, events.describe_all(shown)):
            line = sentence.render(EVENT_STYLE)
            if (
                previous is not None and previous.events and event.action.endswith(".changed")
                and previous.events[-1].action.endswith(".changed")
                and previous.events[-1].actor_label == event.actor_label
                and abs(event.at - previous.events[-1].at) <= timedelta(minutes=1)
            ):
                previous.events.append(event)
                previous.lines.append(line)
                continue
            previous = TimelineEntry(at=event.at, kind="event", event=event, events=[event], lines=[line])
            recorded.append((event.pk, previous))
    recorded.sort(key=lambda pair: pair[0])
    # Both lists keep their own order; a backdated interaction goes before the first later entry.
    return list(heapq.merge([entry for _, entry in recorded], backdated, key=lambda entry: entry.at))


# --- My work --------------------------------------------------------------------------------------


def due_follow_up_tasks(agent: Agent, limit: int = 25) -> list[FollowUpTask]:
    """The agent's open follow-up tasks due now or overdue, most overdue first: theirs, and those without
    an assignee on the tickets they own."""
    return list(
        FollowUpTask.objects.filter(Q(assignee=agent) | Q(assignee__isnull=True, ticket__assignee=agent),
                                    status=FollowUpTask.Status.OPEN, due_at__lte=clock.now())
        .order_by("due_at", "id").select_related("ticket", "ticket__requester")[:limit]
    )
