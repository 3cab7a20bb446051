"""The only writer of the reports' per-ticket facts (caredesk.analytics.models.TicketFacts).

A ticket created or changed marks its facts due (`mark_due`, in the change's transaction, from the tickets'
signals); the worker's sweep (`refresh_due`) claims due rows with skip_locked and recomputes each from the
ticket's own audit events. A change made while a row is being recomputed waits for the row's lock, then marks
it due again, so no change is lost. `rebuild` recomputes every ticket created in a range (the CLI's
`caredesk report facts`), for facts written before a rule changed. Facts are a projection of the audit
trail, so they write no audit events of their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from caredesk.analytics import business, facts
from caredesk.analytics.models import TicketFacts
from caredesk.core import clock
from caredesk.tickets.models import Ticket, TicketEvent

EVENT_ACTIONS = ("ticket.created", "status.changed", *facts.RESPONSES)


def mark_due(ticket_ids: Iterable[int]) -> None:
    """Recompute these tickets' facts on the next sweep."""
    now = clock.now()
    TicketFacts.objects.bulk_create([TicketFacts(ticket_id=pk, next_due_at=now) for pk in set(ticket_ids)],
                                    update_conflicts=True, update_fields=["next_due_at"], unique_fields=["ticket"])


def refresh_due(limit: int = 500) -> int:
    """The worker's sweep: recompute the facts of up to `limit` changed tickets."""
    with transaction.atomic():
        ids = list(TicketFacts.objects.select_for_update(skip_locked=True)
                   .filter(next_due_at__lte=clock.now()).order_by("next_due_at")
                   .values_list("ticket_id", flat=True)[:limit])
        if ids:
            _write(ids)
    return len(ids)


def rebuild(since: datetime | None = None, until: datetime | None = None, *, batch_size: int = 2000) -> int:
    """Recompute the facts of every ticket created in [since, until), in batches; returns how many."""
    tickets = Ticket.objects.order_by("pk")
    if since is not None:
        tickets = tickets.filter(created_at__gte=since)
    if until is not None:
        tickets = tickets.filter(created_at__lt=until)
    done, last = 0, 0
    while True:
        ids = list(tickets.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        with transaction.atomic():
            _write(ids)
        done, last = done + len(ids), ids[-1]


def _write(ticket_ids: list[int]) -> None:
    events: dict[int, list[facts.Event]] = defaultdict(list)
    for ticket_id, action, at, actor_kind, before, after in (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, action__in=EVENT_ACTIONS)
        .values_list("ticket_id", "action", "at", "actor_kind", "before", "after").iterator(chunk_size=5000)
    ):
        events[ticket_id].append(facts.Event(action, at, actor_kind, before, after))
    hours = business.hours()
    now, rows = clock.now(), []
    for ticket in Ticket.objects.filter(pk__in=ticket_ids).only(
            "pk", "created_at", "status", "group_id", "assignee_id", "category_id", "channel", "priority",
            "requester_id"):
        found = facts.facts_of(events[ticket.pk])
        created = found.created_at or ticket.created_at
        rows.append(TicketFacts(
            ticket_id=ticket.pk, next_due_at=None, refreshed_at=now, created_at=created, status=ticket.status,
            group_id=ticket.group_id, assignee_id=ticket.assignee_id, category_id=ticket.category_id,
            channel=ticket.channel, priority=ticket.priority, requester_id=ticket.requester_id,
            first_response_at=found.first_response_at,
            first_response_seconds=facts.elapsed(created, found.first_response_at),
            first_response_business_seconds=facts.elapsed(created, found.first_response_at, hours.seconds_between),
            first_solved_at=found.first_solved_at, resolution_seconds=facts.elapsed(created, found.first_solved_at),
            resolution_business_seconds=facts.elapsed(created, found.first_solved_at, hours.seconds_between),
            first_reopened_at=found.first_reopened_at, reopen_count=found.reopen_count,
            agent_replies=found.agent_replies, one_touch=found.one_touch,
        ))
    fields = [field.name for field in TicketFacts._meta.concrete_fields if field.name != "ticket"]
    TicketFacts.objects.bulk_create(rows, update_conflicts=True, unique_fields=["ticket"], update_fields=fields,
                                    batch_size=1000)
