"""The only writers of tickets, interactions, attachments and their audit events (TicketEvent).

Plural first: every change of a ticket is staged in one unit of work, `ticket_changes`, and each
single-ticket action below is that unit with one ticket, as Zulip's `do_send_message` is
`do_send_messages([one])[0]`:

    with ticket_changes(ticket_ids, actor) as batch:
        batch.note("customer unresponsive - closing ticket")
        batch.set(status="solved")

The unit reads its tickets once, locked (with `skip_locked`, the tickets another transaction holds are left
out, in `batch.busy`, instead of waited for). Changes are staged per ticket in a `batch.changing(ticket)`
block and checked as they are staged, against the ticket as the changes before them left it; a refusal
raises the DomainError the single-ticket action raises and stages nothing of its block. When the unit ends
it writes everything in bulk: the interactions, the attachments, every changed ticket with one UPDATE
statement run per ticket, the orders (`customers.actions.OrderChanges`) and the audit events, one INSERT
run per event (or with the others of `audit.written_together`). Only then, at that one moment, it sends
the signals (`tickets/signals.py`), in the order the changes were staged, each with its ticket as written;
receivers run in the unit's transaction. A new ticket's row is the exception: it is inserted when it is
staged, as it has no lock to take and what follows needs its id.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.dispatch import Signal

from caredesk.core import audit, clock
from caredesk.core.audit import Actor
from caredesk.core.changes import apply_changes, audit_value
from caredesk.core.db import statements
from caredesk.core.errors import Conflict, NotFound, ValidationFailed
from caredesk.customers.actions import OrderChanges, clean_order_status
from caredesk.customers.models import Customer, Order
from caredesk.tickets import lifecycle, redaction, signals
from caredesk.tickets.models import (
    Attachment, Category, Channel, Group, Interaction, Priority, Status, Tag, Ticket, TicketEvent, TicketType,
)

# The relations a change's audit event reads as "before"; the single-ticket actions read them with the row.
AUDITED_RELATIONS = ("requester", "assignee", "group", "ticket_type", "category", "order")
TICKET_FIELDS = {
    "subject", "description", "ticket_type", "category", "priority", "status", "group", "assignee", "order",
    "requester", "tags",
}
TAG_PATTERN = re.compile(r"^[\w-]{1,64}$", re.UNICODE)
CALL_NOTE_KEYS = {
    "caller_name": "caller_name",
    "call_type": "call_type",
    "customer_type": "call_customer_type",
    "reason_for_call": "reason_for_call",
    "actions_taken": "actions_taken",
}


@dataclass
class NewAttachment:
    filename: str
    content_type: str
    content: bytes = field(repr=False)


def normalize_tags(names: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for index, name in enumerate(names):
        tag = (name or "").strip().lower().replace(" ", "-")
        if not TAG_PATTERN.match(tag):
            raise ValidationFailed(
                f"Tag {name!r} must be 1-64 letters, digits, '-' or '_'.", field=f"tags[{index}]"
            )
        if tag not in tags:
            tags.append(tag)
    return tags


def _tag_objects(names: list[str]) -> list[Tag]:
    existing = {name: tag for name in names if (tag := statements.get_by(Tag, "name", name)) is not None}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing[name] for name in names]


def _validate_fields(fields: dict[str, Any], ticket: Ticket | None) -> dict[str, Any]:
    unknown = set(fields) - TICKET_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"{name} cannot be changed here.", field=name)
    if "subject" in fields:
        fields["subject"] = (fields["subject"] or "").strip()
        if not fields["subject"]:
            raise ValidationFailed("A ticket needs a subject.", field="subject")
        if len(fields["subject"]) > 250:
            raise ValidationFailed("A subject has at most 250 characters.", field="subject")
    if "priority" in fields:
        Priority.checked(fields["priority"])
    for name, model in (("ticket_type", TicketType), ("category", Category), ("group", Group)):
        value = fields.get(name)
        if value is not None and not value.active and (ticket is None or getattr(ticket, f"{name}_id") != value.pk):
            raise ValidationFailed(f"{model._meta.verbose_name.capitalize()} {value} is retired.", field=name)
    assignee = fields.get("assignee")
    if assignee is not None and not assignee.is_active:
        raise ValidationFailed(f"Agent {assignee.username} is deactivated.", field="assignee")
    order = fields.get("order")
    requester_id = fields["requester"].pk if fields.get("requester") else (ticket.requester_id if ticket else None)
    if order is not None and requester_id is not None and order.customer_id != requester_id:
        raise ValidationFailed(
            f"Order {order} belongs to another customer than the requester.", field="order"
        )
    if "tags" in fields:
        fields["tags"] = normalize_tags(fields["tags"])
    return fields


def _apply_status_timestamps(ticket: Ticket, new_status: str, now: datetime) -> None:
    if new_status == Status.SOLVED:
        ticket.solved_at = now
    elif new_status == Status.CLOSED:
        ticket.closed_at = now
    elif ticket.status == Status.SOLVED:  # reopened
        ticket.solved_at = None

def record_event(actor: Actor, ticket: Ticket, action: str, **details) -> TicketEvent:
    """One audit event about a ticket, for the actions of other apps (outbound messages, tasks, flags)."""
    return audit.write(TicketEvent.build(actor, action, ticket=ticket, **details))


def record_events(events: list[TicketEvent]) -> None:
    """Audit events about tickets, built by the actions of other apps, inserted together."""
    audit.write_all(events)


@dataclass
class NewTicket:
    """A ticket checked and built by `new_ticket`, not written yet."""

    ticket: Ticket
    tags: list[str]
    created: dict[str, Any]  # what its "ticket.created" event records
    attachments: list[NewAttachment]


def new_ticket(
    *,
    requester: Customer,
    subject: str,
    description: str = "",
    ticket_type: TicketType | None = None,
    category: Category | None = None,
    tags: Iterable[str] = (),
    priority: int = Priority.MEDIUM,
    status: str = Status.NEW,
    group: Group | None = None,
    assignee=None,
    order: Order | None = None,
    channel: str = Channel.WEB,
    follows_up: Ticket | None = None,
    attachments: Iterable[NewAttachment] = (),
) -> NewTicket:
    """Check and build a new ticket, for `TicketChanges.create`."""
    fields = _validate_fields(
        {"subject": subject, "ticket_type": ticket_type, "category": category, "priority": priority,
         "group": group, "assignee": assignee, "order": order, "requester": requester, "tags": list(tags)},
        None,
    )
    if channel not in Channel.values:
        raise ValidationFailed(f"Channel must be one of {', '.join(Channel.values)}.", field="channel")
    if status not in lifecycle.ACTIVE_STATUSES:
        raise ValidationFailed("A new ticket starts as new, open, pending or on hold.", field="status")
    attachments = check_attachments(attachments)
    tag_names = fields.pop("tags")
    now = clock.now()
    ticket = Ticket(
        description=description or "", status=status, channel=channel, follows_up=follows_up,
        created_at=now, updated_at=now, **fields,
    )
    created = {
        "subject": ticket.subject, "status": status, "priority": Priority(ticket.priority).label,
        "requester": audit_value(requester), "ticket_type": audit_value(ticket_type),
        "category": audit_value(category), "group": audit_value(group), "assignee": audit_value(assignee),
        "order": audit_value(order), "channel": channel, "tags": tag_names,
        "follows_up": follows_up.pk if follows_up else None,
    }
    return NewTicket(ticket, tag_names, created, attachments)


@contextmanager
def ticket_changes(
    ticket_ids: Iterable[int] = (), actor: Actor | None = None, *, related: tuple[str, ...] = AUDITED_RELATIONS,
    skip_locked: bool = False,
) -> Iterator[TicketChanges]:
    """The unit of work over `ticket_ids` (see the module's docstring), written when the block ends, in a
    transaction of its own (a savepoint inside the caller's). `actor` makes the changes unless a `changing`
    block names another; `related` are the relations read with the tickets."""
    with transaction.atomic():
        batch = TicketChanges(ticket_ids, actor, related=related, skip_locked=skip_locked)
        yield batch
        batch.write()


def _lock(ticket_ids: list[int], related: tuple[str, ...], skip_locked: bool) -> dict[int, Ticket]:
    if not ticket_ids:
        return {}
    if len(ticket_ids) == 1 and not related and not skip_locked:  # one plain row, by SQL built once
        ticket = statements.get_by(Ticket, "pk", ticket_ids[0], for_update=True)
        return {} if ticket is None else {ticket.pk: ticket}
    rows = Ticket.objects.select_for_update(of=("self",), skip_locked=skip_locked)
    if related:
        rows = rows.select_related(*related)
    return {ticket.pk: ticket for ticket in rows.filter(pk__in=ticket_ids).order_by("pk")}


def _link(rows: list, name: str) -> None:
    """Set each row's `name` id from the related object it was built with, which has been written since."""
    for row in rows:
        relation = row._meta.get_field(name)
        if getattr(row, relation.attname) is None and relation.is_cached(row):
            related = relation.get_cached_value(row)
            if related is not None:
                setattr(row, name, related)


class TicketChanges:
    """The unit of work: tickets locked when it is made, changes staged per ticket, all written by `write`."""

    def __init__(self, ticket_ids: Iterable[int] = (), actor: Actor | None = None, *,
                 related: tuple[str, ...] = AUDITED_RELATIONS, skip_locked: bool = False):
        self.now = clock.now()
        self.actor = actor
        wanted = list(dict.fromkeys(ticket_ids))
        self.tickets = _lock(wanted, related, skip_locked)
        self.busy: set[int] = set(wanted) - set(self.tickets)  # held elsewhere (skip_locked): left for later
        if self.busy and not skip_locked:
            raise Ticket.DoesNotExist(f"Ticket #{min(self.busy)} does not exist.")
        self.orders: OrderChanges | None = None  # locked when a change first needs them
        self._reset()

    def _reset(self) -> None:
        self.new: dict[int, list[str]] = {}  # tickets created in this unit, with their tags
        self.changed: dict[int, Ticket] = {}
        self.columns: set[str] = set()
        self.tags: dict[int, list[str]] = {}  # new tags of changed tickets
        self.interactions: list[Interaction] = []
        self.attachments: list[tuple[Attachment, bytes]] = []
        self.events: list[TicketEvent] = []
        self.signals: list[tuple[Signal, int, Actor, dict]] = []  # (signal, ticket id, actor, arguments)

    def __contains__(self, ticket_id: int) -> bool:
        return ticket_id in self.tickets

    def ticket(self, ticket_id: int) -> Ticket:
        """The ticket as locked, with the changes staged so far."""
        return self.tickets[ticket_id]

    @contextmanager
    def changing(self, ticket_id: int, actor: Actor | None = None) -> Iterator[TicketChange]:
        """Stage changes to one ticket, all or nothing: when the block raises, none of them are kept (a ticket
        created in this unit is the exception: it is changed in place, and the unit is given up)."""
        current = self.tickets[ticket_id]
        change = TicketChange(self, current if ticket_id in self.new else copy.copy(current), actor or self.actor)
        yield change
        self._take(change)

    def create(self, new: NewTicket, actor: Actor | None = None) -> Ticket:
        """A new ticket (checked and built by `new_ticket`): its row now, the rest with the unit."""
        ticket = statements.insert(new.ticket)
        self.tickets[ticket.pk], self.new[ticket.pk] = ticket, new.tags
        with self.changing(ticket.pk, actor) as change:
            change.record("ticket.created", after=new.created)
            for attachment in new.attachments:
                change.attach(attachment)
            change.signal(signals.ticket_created)
        return ticket

    def note(self, body: str) -> None:
        """An internal note on every ticket of the unit."""
        for ticket_id in list(self.tickets):
            with self.changing(ticket_id) as change:
                change.note(body)

    def set(self, **changes: Any) -> None:
        """The same field changes on every ticket of the unit."""
        for ticket_id in list(self.tickets):
            with self.changing(ticket_id) as change:
                change.set(**changes)

    def _orders(self) -> OrderChanges:
        if self.orders is None:
            self.orders = OrderChanges({ticket.order_id for ticket in self.tickets.values() if ticket.order_id},
                                       self.now)
        return self.orders

    def _take(self, change: TicketChange) -> None:
        ticket = change.ticket
        self.tickets[ticket.pk] = ticket
        if change.columns:
            self.changed[ticket.pk] = ticket
            self.columns |= change.columns
        if change.tags is not None:
            self.tags[ticket.pk] = change.tags
        self.interactions += change.interactions
        self.attachments += change.attachments
        self.events += change.events
        self.signals += [(signal, ticket.pk, change.actor, arguments) for signal, arguments in change.signals]
        for order_id, status in change.order_changes:  # applied now: the next ticket on the order sees them
            self.orders.change(order_id, change.actor, status=status)

    def write(self) -> None:
        """Write everything staged, then send the signals; the unit can then be staged into again."""
        for ticket_id, names in self.new.items():  # a new ticket has no tags yet: no need to read them first
            tags = _tag_objects(names) if names else []
            ticket = self.tickets[ticket_id]
            statements.insert_rows([Ticket.tags.through(ticket=ticket, tag=tag) for tag in tags])
            statements.remember_related(ticket, "tags", tags)
        for ticket_id, names in self.tags.items():
            self.tickets[ticket_id].tags.set(_tag_objects(names))
        if len(self.interactions) == 1:
            statements.insert(self.interactions[0])
        elif self.interactions:
            Interaction.objects.bulk_create(self.interactions)
        for row, content in self.attachments:
            row.file.save(row.filename, ContentFile(content), save=False)
            row.save()
        statements.update_rows(self.changed.values(), sorted(self.columns | {"updated_at"}))
        if self.orders is not None:
            self.orders.write()
        _link(self.events, "interaction")
        audit.write_all(self.events)
        sends = self.signals
        self._reset()
        for signal, ticket_id, actor, arguments in sends:
            signal.send(sender=Ticket, ticket=self.tickets[ticket_id], actor=actor, **arguments)


class TicketChange:
    """One ticket's changes in a `TicketChanges.changing` block, each checked as it is staged."""

    def __init__(self, batch: TicketChanges, ticket: Ticket, actor: Actor):
        self.batch, self.ticket, self.actor = batch, ticket, actor
        self.columns: set[str] = set()
        self.tags: list[str] | None = None
        self.interactions: list[Interaction] = []
        self.attachments: list[tuple[Attachment, bytes]] = []
        self.events: list[TicketEvent] = []
        self.signals: list[tuple[Signal, dict]] = []
        self.order_changes: list[tuple[int, str]] = []  # (order id, status), in order
        self.order_statuses: dict[int, str] = {}  # each order's status after this block's changes so far

    def record(self, action: str, **details) -> TicketEvent:
        """An audit event about the ticket."""
        event = TicketEvent.build(self.actor, action, ticket=self.ticket, **details)
        event.at = self.batch.now
        self.events.append(event)
        return event

    def signal(self, signal: Signal, **arguments) -> None:
        self.signals.append((signal, arguments))

    def _check_open(self) -> None:
        if self.ticket.is_closed:
            raise Conflict(lifecycle.CLOSED_TICKET)

    def _touch(self, *columns: str) -> None:
        self.ticket.updated_at = self.batch.now
        self.columns.update(columns, ("updated_at",))

    def set(self, **changes: Any) -> list[tuple[str, Any, Any]]:
        """Change any of TICKET_FIELDS; one audit event per field that really changed, which it returns."""
        self._check_open()
        ticket, now = self.ticket, self.batch.now
        changes = _validate_fields(dict(changes), ticket)
        tag_names = changes.pop("tags", None)
        if "status" in changes:
            lifecycle.check_transition(ticket.status, changes["status"])
            if changes["status"] == Status.SOLVED != ticket.status:
                signals.ticket_solving.send(sender=Ticket, ticket=ticket, actor=self.actor)
            if changes["status"] != ticket.status:
                _apply_status_timestamps(ticket, changes["status"], now)
        changed = apply_changes(ticket, changes)
        if tag_names is not None:
            staged = self.tags if self.tags is not None else self.batch.tags.get(ticket.pk)
            before = sorted(staged if staged is not None else ticket.tags.values_list("name", flat=True))
            if sorted(tag_names) != before:
                self.tags = tag_names
                changed.append(("tags", before, sorted(tag_names)))
        if not changed:
            return changed
        columns = [name for name, _, _ in changed if name != "tags"]
        self._touch(*columns, *(("solved_at", "closed_at") if "status" in columns else ()))
        for name, before, after in changed:
            if name == "priority":
                before, after = Priority(before).label, Priority(after).label
            self.record(f"{name}.changed", field=name, before=before, after=after)
        self.signal(signals.ticket_changed, changes=changed)
        return changed

    def note(self, body: str) -> Interaction:
        """An internal note."""
        return self.interaction(channel=Channel.INTERNAL, direction=Interaction.Direction.INTERNAL,
                                kind=Interaction.Kind.NOTE, body=body)

    def interaction(
        self, *, channel: str, direction: str, kind: str, body: str = "", call_outcome: str = "",
        call_notes: dict[str, str] | None = None, occurred_at: datetime | None = None,
        author_customer: Customer | None = None, external_id: str | None = None, details: dict | None = None,
        attachments: Iterable[NewAttachment] = (),
    ) -> Interaction:
        """A timeline entry. A customer's inbound message reopens a pending or solved ticket; an agent's first
        outbound entry is the ticket's first response."""
        self._check_open()
        body, call_outcome = body or "", call_outcome or ""
        _validate_interaction(channel, direction, kind, call_outcome, body)
        notes = _call_note_fields(call_notes)
        attachments = check_attachments(attachments)
        ticket, actor, now = self.ticket, self.actor, self.batch.now
        interaction = Interaction(
            ticket=ticket, channel=channel, direction=direction, kind=kind, call_outcome=call_outcome, body=body,
            author_agent=actor.agent, author_customer=author_customer,
            author_label="" if actor.agent or author_customer else actor.label,
            occurred_at=occurred_at or now, created_at=now, external_id=external_id, details=details or {},
            **notes,
        )
        self.interactions.append(interaction)
        self.record(f"interaction.{kind}", interaction=interaction, after=interaction_audit(interaction))
        for attachment in attachments:
            self.attach(attachment, interaction=interaction)
        updates: dict[str, Any] = {}
        if author_customer is not None and direction == Interaction.Direction.INBOUND and ticket.status in (
            Status.PENDING, Status.SOLVED,
        ):
            updates["status"] = Status.OPEN
        if ticket.first_response_at is None and actor.kind == "agent" and direction == Interaction.Direction.OUTBOUND:
            updates["first_response_at"] = interaction.occurred_at
        previous_status = ticket.status
        if "status" in updates:
            self.record("status.changed", field="status", before=previous_status, after=Status.OPEN)
            _apply_status_timestamps(ticket, Status.OPEN, now)
        for name, value in updates.items():
            setattr(ticket, name, value)
        self._touch(*updates, *(("solved_at",) if "status" in updates else ()))
        self.signal(signals.interaction_added, interaction=interaction)
        if "status" in updates:
            self.signal(signals.ticket_changed, changes=[("status", previous_status, Status.OPEN)])
        return interaction

    def attach(self, attachment: NewAttachment, interaction: Interaction | None = None) -> Attachment:
        """A supporting document, on the ticket itself or on one of its interactions."""
        self._check_open()
        check_attachments([attachment])
        filename = _attachment_filename(attachment)
        size = len(attachment.content)
        digest = hashlib.sha256(attachment.content).hexdigest()
        content_type = CONTROL_CHARACTERS.sub("", attachment.content_type or "").strip()[:150]
        row = Attachment(
            ticket=self.ticket, interaction=interaction, filename=filename,
            content_type=content_type or "application/octet-stream", size=size, sha256=digest,
            created_at=self.batch.now,
        )
        self.attachments.append((row, attachment.content))
        self.record("attachment.added", interaction=interaction,
                    after={"filename": filename, "size": size, "sha256": digest})
        self._touch()
        return row

    def order_status(self, status: str) -> None:
        """Set the status of the ticket's order (nothing when none is linked): the order changes with its
        CustomerEvent, the ticket records "order.status.changed"."""
        self._check_open()
        order_id = self.ticket.order_id
        if order_id is None:
            return
        after = clean_order_status(status)
        before = self.order_statuses.get(order_id, self.batch._orders().order(order_id).status)
        if after == before:
            return
        self.order_statuses[order_id] = after
        self.order_changes.append((order_id, after))
        self.record("order.status.changed", field="order_status", before=before, after=after)


def create_ticket(*, actor: Actor, **fields: Any) -> Ticket:
    """A new ticket with its tags and attachments (`fields`: those of `new_ticket`). Everything is checked and
    built before the write transaction begins (on SQLite that transaction holds the one write lock)."""
    new = new_ticket(**fields)
    with ticket_changes(actor=actor) as batch:
        return batch.create(new)


def update_ticket(ticket: Ticket, *, actor: Actor, **changes: Any) -> Ticket:
    """Change any of TICKET_FIELDS; one audit event per field that really changed."""
    with ticket_changes([ticket.pk], actor) as batch, batch.changing(ticket.pk) as change:
        change.set(**changes)
    return batch.ticket(ticket.pk)


def add_interaction(
    ticket: Ticket,
    *,
    actor: Actor,
    channel: str,
    direction: str,
    kind: str,
    body: str = "",
    call_outcome: str = "",
    call_notes: dict[str, str] | None = None,
    occurred_at: datetime | None = None,
    author_customer: Customer | None = None,
    external_id: str | None = None,
    details: dict | None = None,
    attachments: Iterable[NewAttachment] = (),
) -> Interaction:
    """Add one timeline entry. A customer's inbound message reopens a pending or solved ticket.

    A message to a closed ticket is refused here; `receive_customer_message` routes it to a follow-up.
    """
    with ticket_changes([ticket.pk], actor) as batch, batch.changing(ticket.pk) as change:
        return change.interaction(
            channel=channel, direction=direction, kind=kind, body=body, call_outcome=call_outcome,
            call_notes=call_notes, occurred_at=occurred_at, author_customer=author_customer,
            external_id=external_id, details=details, attachments=attachments,
        )


def interaction_audit(interaction: Interaction) -> dict[str, Any]:
    """What an interaction's audit event ("interaction.<kind>") records about it."""
    return {
        "channel": interaction.channel, "direction": interaction.direction,
        "call_outcome": interaction.call_outcome or None,
        "has_call_notes": interaction.has_call_notes if interaction.kind == Interaction.Kind.CALL else None,
    }


def receive_customer_message(
    ticket: Ticket, *, customer: Customer, channel: str, body: str, actor: Actor | None = None,
    occurred_at: datetime | None = None, external_id: str | None = None, details: dict | None = None,
    attachments: Iterable[NewAttachment] = (),
) -> Interaction:
    """A customer's message about `ticket`; on a closed ticket it lands on a new, linked follow-up ticket,
    owned by the agent who had the closed one (while they are active), in the same group.

    `actor` is who records it: the customer by default, or the agent who logs a message received elsewhere.
    """
    actor = actor or Actor.customer(customer.name)
    # The one read of the ticket; a message changes none of its relations, and the rare follow-up of a closed
    # ticket reads those it copies.
    with ticket_changes([ticket.pk], actor, related=()) as batch:
        target = batch.ticket(ticket.pk)
        if target.is_closed:
            previous_owner = target.assignee if target.assignee and target.assignee.is_active else None
            target = batch.create(new_ticket(
                requester=target.requester, subject=f"Re: {target.subject}"[:250], description=body,
                ticket_type=target.ticket_type, category=target.category, order=target.order, channel=channel,
                group=target.group, assignee=previous_owner, follows_up=target,
                tags=list(target.tags.values_list("name", flat=True)),
            ))
            with batch.changing(ticket.pk) as closed:
                closed.record("follow_up.created", after={"ticket": target.pk})
        with batch.changing(target.pk) as change:
            return change.interaction(
                channel=channel, direction=Interaction.Direction.INBOUND, kind=Interaction.Kind.MESSAGE, body=body,
                occurred_at=occurred_at, author_customer=customer, external_id=external_id, details=details,
                attachments=attachments,
            )


def add_supporting_document(ticket: Ticket, *, actor: Actor, attachment: NewAttachment) -> Attachment:
    """Attach a document to the ticket itself (not to one message)."""
    with ticket_changes([ticket.pk], actor) as batch, batch.changing(ticket.pk) as change:
        return change.attach(attachment)


def remove_attachment(attachment: Attachment, *, actor: Actor) -> None:
    """Remove a document (a photo of a card, a wrong file), closed tickets too: its file is deleted once the
    change commits (unless another kept row is the same file), its row stays, without the file, for the
    "attachment.removed" event that names it. No page or route offers it again."""
    with ticket_changes([attachment.ticket_id], actor) as batch, batch.changing(attachment.ticket_id) as change:
        removed = Attachment.objects.filter(pk=attachment.pk).update(removed_at=batch.now)
        if not removed:
            raise NotFound("This document was removed already.")
        change.record("attachment.removed", interaction_id=attachment.interaction_id,
                      after={"filename": attachment.filename, "size": attachment.size, "sha256": attachment.sha256})
        change._touch()
    name, storage = attachment.file.name, attachment.file.storage
    if not Attachment.objects.filter(file=name).exists():
        transaction.on_commit(lambda: storage.delete(name))


def _validate_interaction(channel: str, direction: str, kind: str, call_outcome: str, body: str) -> None:
    if kind not in Interaction.Kind.values:
        raise ValidationFailed(f"Kind must be one of {', '.join(Interaction.Kind.values)}.", field="kind")
    if channel not in Channel.values:
        raise ValidationFailed(f"Channel must be one of {', '.join(Channel.values)}.", field="channel")
    if direction not in Interaction.Direction.values:
        raise ValidationFailed(
            f"Direction must be one of {', '.join(Interaction.Direction.values)}.", field="direction"
        )
    if kind == Interaction.Kind.NOTE:
        if not body.strip():
            raise ValidationFailed("An internal note needs a body.", field="body")
    elif kind == Interaction.Kind.CALL:
        if channel not in (Channel.PHONE, Channel.VOICEMAIL):
            raise ValidationFailed("A call is on the phone or voicemail channel.", field="channel")
        if call_outcome not in Interaction.CallOutcome.values:
            raise ValidationFailed(
                f"A call needs its outcome: {', '.join(Interaction.CallOutcome.values)}.", field="call_outcome"
            )
    else:
        if channel in (Channel.PHONE, Channel.INTERNAL):
            raise ValidationFailed(f"A message cannot travel on the {channel} channel.", field="channel")
        if direction == Interaction.Direction.INTERNAL:
            raise ValidationFailed("A message is inbound or outbound.", field="direction")
    if call_outcome and kind != Interaction.Kind.CALL:
        raise ValidationFailed("Only a call has an outcome.", field="call_outcome")


def _call_note_fields(call_notes: dict[str, str] | None) -> dict[str, str]:
    if not call_notes:
        return {}
    unknown = set(call_notes) - set(CALL_NOTE_KEYS)
    if unknown:
        raise ValidationFailed(f"Unknown call-notes field {sorted(unknown)[0]!r}.", field="call_notes")
    return {CALL_NOTE_KEYS[key]: (value or "").strip() for key, value in call_notes.items()}


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _attachment_filename(attachment: NewAttachment) -> str:
    name = CONTROL_CHARACTERS.sub("", attachment.filename or "")
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "attachment"


def check_attachments(attachments: Iterable[NewAttachment]) -> list[NewAttachment]:
    """Refuse any attachment over the size limit before anything of a change is written."""
    attachments = list(attachments)
    for attachment in attachments:
        size = len(attachment.content)
        if size > settings.ATTACHMENT_MAX_BYTES:
            raise ValidationFailed(
                f"{_attachment_filename(attachment)} is {size} bytes; attachments are limited to "
                f"{settings.ATTACHMENT_MAX_BYTES} bytes.",
                field="attachments",
            )
    return attachments


def close_solved_tickets(*, older_than: timedelta | None = None, batch_size: int = 500) -> int:
    """Close tickets solved longer ago than the configured delay. Safe to run from several workers: a ticket
    another transaction holds is left for the next run; one an app holds open (`signals.auto_close_holds`:
    a resolution waiting for the customer's confirmation) waits."""
    delay = older_than if older_than is not None else timedelta(days=settings.SOLVED_TICKET_CLOSE_DAYS)
    cutoff = clock.now() - delay
    closable = Ticket.objects.filter(status=Status.SOLVED, solved_at__lte=cutoff)
    for _, held in signals.auto_close_holds.send(sender=Ticket, cutoff=cutoff):
        closable = closable.exclude(held)
    ids = list(closable.order_by("solved_at").values_list("pk", flat=True)[:batch_size])
    if not ids:
        return 0
    with ticket_changes(ids, Actor.system("auto-close"), related=(), skip_locked=True) as batch:
        closing = [ticket.pk for ticket in batch.tickets.values()  # not closed or reopened by another worker
                   if ticket.status == Status.SOLVED and ticket.solved_at is not None and ticket.solved_at <= cutoff]
        for ticket_id in closing:
            with batch.changing(ticket_id) as change:
                change.set(status=Status.CLOSED)
    return len(closing)


def merge_tickets(source: Ticket, target: Ticket, *, actor: Actor, follow_ups: int = 0) -> Ticket:
    """Merge a duplicate (`source`) into `target`: its interactions and documents move to `target`, each
    ticket records the merge ("ticket.merged_from", "ticket.merged_into"), and `source` is closed with a
    note pointing at `target`. `follow_ups` is how many follow-ups the caller moved with it (playbooks)."""
    if source.pk == target.pk:
        raise ValidationFailed("A ticket cannot be merged into itself.", field="target")
    with ticket_changes([source.pk, target.pk], actor) as batch:
        duplicate, kept = batch.ticket(source.pk), batch.ticket(target.pk)
        if kept.is_closed:
            raise Conflict(f"Ticket #{kept.pk} is closed; merge into a ticket that is still open.", field="target")
        if duplicate.is_closed:
            raise Conflict(f"Ticket #{duplicate.pk} is closed already; there is nothing left to merge.",
                           field="source")
        moved = Interaction.objects.filter(ticket_id=duplicate.pk).update(ticket_id=kept.pk)
        Attachment.with_removed.filter(ticket_id=duplicate.pk).update(ticket_id=kept.pk)
        with batch.changing(kept.pk) as change:
            change.record("ticket.merged_from", field="merge",
                          after={"ticket": duplicate.pk, "interactions": moved, "follow_ups": follow_ups})
            change._touch()
        with batch.changing(duplicate.pk) as change:
            change.record("ticket.merged_into", field="merge",
                          after={"ticket": kept.pk, "interactions": moved, "follow_ups": follow_ups})
            change.note(f"Merged into #{kept.pk}: its conversation continues there.")
            if duplicate.status != Status.SOLVED:
                change.set(status=Status.SOLVED)
            change.set(status=Status.CLOSED)
    return batch.ticket(target.pk)


MIN_REDACTED = 4


def redact(ticket: Ticket, *, actor: Actor, text: str) -> dict[str, Any]:
    """Replace every occurrence of `text` (in any case) by "[redacted]" wherever the ticket keeps it: its
    subject and description, the texts of its interactions (messages, notes, call notes), and every copy
    other apps registered in `redaction` (the email as received, the outbox, cases, surveys, the values in
    the ticket's history). Closed tickets too. The audit events say where and how often, never what:
    "subject.redacted", "description.redacted", one "interaction.redacted" per interaction changed, one
    "record.redacted" per kind of copy; the search index follows them in this transaction.
    Returns {"subject": n, "description": n, "interactions": {id: n}, "records": {label: n}}."""
    text = (text or "").strip()
    if len(text) < MIN_REDACTED:
        raise ValidationFailed(f"Give the text to redact, at least {MIN_REDACTED} characters.", field="text")
    pattern = re.compile(re.escape(text), re.IGNORECASE)
    if pattern.search(redaction.REDACTED):
        raise ValidationFailed(f"That is part of what a redaction leaves, {redaction.REDACTED}.", field="text")
    with ticket_changes([ticket.pk], actor) as batch, batch.changing(ticket.pk) as change:
        current = change.ticket
        found = redaction.interactions(current.pk, pattern)
        for interaction_id, occurrences in found.items():
            change.record("interaction.redacted", interaction_id=interaction_id, after={"occurrences": occurrences})
        records = {}
        for copies in redaction.copies():
            rows = copies.redact(current.pk, pattern)
            if rows:
                records[copies.label] = sum(rows.values())
                change.record("record.redacted", after={"record": copies.label, "ids": sorted(rows),
                                                        "occurrences": records[copies.label]})
        in_fields = {}
        for name in ("subject", "description"):
            value, in_fields[name] = pattern.subn(redaction.REDACTED, getattr(current, name))
            if in_fields[name]:
                setattr(current, name, redaction.fitted(Ticket, name, value))
                change._touch(name)
                change.record(f"{name}.redacted", field=name, after={"occurrences": in_fields[name]})
        if not any(in_fields.values()) and not found and not records:
            raise ValidationFailed("This text is nowhere on the ticket.", field="text")
    return {**in_fields, "interactions": found, "records": records}


class _Preview(Exception):
    def __init__(self, found: dict[str, Any]):
        self.found = found


def preview_redaction(ticket: Ticket, *, actor: Actor, text: str) -> dict[str, Any]:
    """What `redact` would replace, as it returns it, with nothing written: the redaction runs in a savepoint
    that is rolled back (its index changes and audit events with it). The same errors as `redact`."""
    try:
        with transaction.atomic():
            raise _Preview(redact(ticket, actor=actor, text=text))
    except _Preview as preview:
        return preview.found
