"""Changes to many tickets at once: the bulk door the playbook sweep writes a batch's ticket changes through.

Each ticket's changes follow the rules of the per-ticket actions and leave the same audit trail:

- `Note(body)` is `actions.add_interaction(kind="note", channel="internal", direction="internal")`: an
  internal note, its "interaction.note" event, the ticket's `updated_at`;
- `FieldChanges({...})` is `actions.update_ticket` for group, assignee and status: the same validation
  (a retired group, a deactivated agent), the lifecycle's transitions, the solved/closed timestamps, one
  "<field>.changed" event per field that really changed;
- `OrderStatus(status)` is the playbook runner's `order_status`: `customers` records the order's change
  with its CustomerEvent, the ticket gets "order.status.changed"; nothing when no order is linked.

A closed ticket is refused, as by the per-ticket actions. `TicketChanges` reads the batch's tickets once,
locked; `stage` checks and applies one caller's list of changes to a ticket in memory, all or nothing
(a refusal raises the same DomainError and leaves the batch as it was); `write` then inserts the notes,
updates the tickets with one statement run per ticket, writes the orders, inserts the events, and sends
the signals the per-ticket actions would have sent (`interaction_added` per note, `ticket_changed` per
field update), per ticket in the order staged, with the ticket as written. Receivers run in the caller's
transaction as they do for the per-ticket actions; one that raises rolls back the whole batch, not one
ticket's changes. Callers hold the transaction.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.changes import apply_changes
from caredesk.core.db import statements
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.customers.actions import clean_order_status
from caredesk.customers.bulk import OrderStatusChanges
from caredesk.tickets import lifecycle, signals
from caredesk.tickets.actions import (
    _apply_status_timestamps, _validate_fields, _validate_interaction, interaction_audit,
)
from caredesk.tickets.models import Channel, Interaction, Ticket, TicketEvent

FIELDS = ("group", "assignee", "status")  # what FieldChanges may change
WRITTEN_COLUMNS = ("group", "assignee", "status", "updated_at", "solved_at", "closed_at")
CLOSED = "A closed ticket cannot change; a new message creates a follow-up ticket."
INTERNAL = Channel.INTERNAL


@dataclass(frozen=True)
class Note:
    body: str


@dataclass(frozen=True)
class FieldChanges:
    changes: dict[str, Any]


@dataclass(frozen=True)
class OrderStatus:
    status: str


Change = Note | FieldChanges | OrderStatus


def lock_free(ticket_ids: Iterable[int]):
    """The tickets of `ticket_ids` no other transaction holds, locked in id order; the others are skipped, not
    waited for (PostgreSQL's SKIP LOCKED). An agent's change holds its ticket and then the ticket's playbook
    runs, which a sweep already holds, so a sweep waiting for a ticket could deadlock with it."""
    locked = Ticket.objects.select_for_update(of=("self",), skip_locked=True)
    return locked.filter(pk__in=set(ticket_ids)).order_by("pk")


class TicketChanges:
    """The changes of a batch of tickets: locked when this is made, staged per caller, written at `write`."""

    def __init__(self, ticket_ids: Iterable[int]):
        self.now = clock.now()
        wanted = set(ticket_ids)
        locked = lock_free(wanted).select_related("requester", "group", "assignee")
        self.tickets: dict[int, Ticket] = {ticket.pk: ticket for ticket in locked}
        self.busy: set[int] = wanted - set(self.tickets)  # held elsewhere: their changes wait for a later sweep
        self.orders: OrderStatusChanges | None = None  # locked when a change first needs them
        self._reset()

    def _reset(self) -> None:
        self.changed: dict[int, Ticket] = {}
        self.notes: list[Interaction] = []
        self.events: list[TicketEvent] = []
        self.noted: list[tuple[TicketEvent, Interaction]] = []  # a note's event, linked once the note has its id
        self.signals: list[tuple[Any, int, Actor, dict]] = []  # (signal, ticket id, actor, arguments)

    def __contains__(self, ticket_id: int) -> bool:
        return ticket_id in self.tickets

    def ticket(self, ticket_id: int) -> Ticket:
        """The ticket as locked, with the changes staged so far."""
        return self.tickets[ticket_id]

    # staging

    def stage(self, ticket_id: int, actor: Actor, changes: Sequence[Change]) -> None:
        """Check and apply `changes` to the ticket, in order, all or nothing; raises what the per-ticket
        action would (Conflict, ValidationFailed) and then stages none of them."""
        current = self.tickets[ticket_id]
        if current.is_closed:
            raise Conflict(CLOSED)
        work = copy.copy(current)
        staged = _Staged()
        for change in changes:
            if isinstance(change, Note):
                self._stage_note(work, actor, change.body, staged)
            elif isinstance(change, FieldChanges):
                self._stage_fields(work, actor, change.changes, staged)
            elif isinstance(change, OrderStatus):
                self._stage_order_status(work, actor, change.status, staged)
            else:
                raise TypeError(f"not a ticket change: {change!r}")
        if not (staged.notes or staged.events or staged.signals):
            return
        self.tickets[ticket_id] = self.changed[ticket_id] = work
        self.notes += staged.notes
        self.events += staged.events
        self.noted += staged.noted
        self.signals += staged.signals
        for order_id, status in staged.order_changes:  # applied now: the next ticket on the order sees them
            self.orders.change(order_id, actor, status)

    def _event(self, actor: Actor, ticket: Ticket, action: str, **details) -> TicketEvent:
        event = TicketEvent.build(actor, action, ticket_id=ticket.pk, **details)
        event.at = self.now
        return event

    def _stage_note(self, work: Ticket, actor: Actor, body: str, staged: _Staged) -> None:
        body = body or ""
        _validate_interaction(INTERNAL, Interaction.Direction.INTERNAL, Interaction.Kind.NOTE, "", body)
        note = Interaction(
            ticket_id=work.pk, channel=INTERNAL, direction=Interaction.Direction.INTERNAL,
            kind=Interaction.Kind.NOTE, body=body, author_agent=actor.agent,
            author_label="" if actor.agent else actor.label, occurred_at=self.now, created_at=self.now,
        )
        staged.notes.append(note)
        event = self._event(actor, work, "interaction.note", interaction=note, after=interaction_audit(note))
        staged.events.append(event)
        staged.noted.append((event, note))
        work.updated_at = self.now
        staged.signals.append((signals.interaction_added, work.pk, actor, {"interaction": note}))

    def _stage_fields(self, work: Ticket, actor: Actor, changes: dict[str, Any], staged: _Staged) -> None:
        unknown = sorted(set(changes) - set(FIELDS))
        if unknown:
            raise ValidationFailed(f"{unknown[0]} cannot be changed in bulk.", field=unknown[0])
        changes = _validate_fields(dict(changes), work)
        if "status" in changes:
            lifecycle.check_transition(work.status, changes["status"])
            if changes["status"] != work.status:
                _apply_status_timestamps(work, changes["status"], self.now)
        changed = apply_changes(work, changes)
        if not changed:
            return
        work.updated_at = self.now
        for name, before, after in changed:
            staged.events.append(self._event(actor, work, f"{name}.changed", field=name, before=before, after=after))
        staged.signals.append((signals.ticket_changed, work.pk, actor, {"changes": changed}))

    def _stage_order_status(self, work: Ticket, actor: Actor, status: str, staged: _Staged) -> None:
        if work.order_id is None:
            return
        if self.orders is None:
            self.orders = OrderStatusChanges({ticket.order_id for ticket in self.tickets.values() if ticket.order_id},
                                             self.now)
        after = clean_order_status(status)
        before = staged.order_statuses.get(work.order_id, self.orders.status_of(work.order_id))
        if after == before:
            return
        staged.order_statuses[work.order_id] = after
        staged.order_changes.append((work.order_id, after))
        staged.events.append(self._event(actor, work, "order.status.changed", field="order_status",
                                         before=before, after=after))

    # writing

    def write(self) -> None:
        """Write everything staged, then send the signals; the batch can then be staged into again."""
        Interaction.objects.bulk_create(self.notes)
        statements.update_rows(self.changed.values(), WRITTEN_COLUMNS)
        if self.orders is not None:
            self.orders.write()
        for event, note in self.noted:
            event.interaction_id = note.pk
        statements.insert_rows(self.events)
        sends = self.signals
        self._reset()
        for signal, ticket_id, actor, arguments in sends:
            signal.send(sender=Ticket, ticket=self.tickets[ticket_id], actor=actor, **arguments)


class _Staged:
    """One `stage` call's writes, kept apart until every change of the call is accepted."""

    def __init__(self) -> None:
        self.notes: list[Interaction] = []
        self.events: list[TicketEvent] = []
        self.noted: list[tuple[TicketEvent, Interaction]] = []
        self.signals: list[tuple[Any, int, Actor, dict]] = []
        self.order_changes: list[tuple[int, str]] = []  # (order id, status), in order
        self.order_statuses: dict[int, str] = {}  # each order's status after this call's changes so far

