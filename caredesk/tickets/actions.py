"""The only writers of tickets, interactions and attachments. Each change writes a TicketEvent."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from caredesk.core import audit, clock
from caredesk.core.audit import Actor
from caredesk.core.changes import apply_changes, audit_value
from caredesk.core.db import statements
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.customers.models import Customer, Order
from caredesk.tickets import lifecycle, signals
from caredesk.tickets.models import (
    Attachment, Category, Channel, Group, Interaction, Priority, Status, Tag, Ticket, TicketEvent, TicketType,
)

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


def record_event(actor: Actor, ticket: Ticket, action: str, **details) -> TicketEvent:
    return audit.write(TicketEvent.build(actor, action, ticket=ticket, **details))


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
    if "priority" in fields and fields["priority"] not in Priority.values:
        raise ValidationFailed("Priority must be low, normal, high or urgent.", field="priority")
    for name, model in (("ticket_type", TicketType), ("category", Category), ("group", Group)):
        value = fields.get(name)
        if value is not None and not value.active and (ticket is None or getattr(ticket, f"{name}_id") != value.pk):
            raise ValidationFailed(f"{model._meta.verbose_name.capitalize()} {value} is retired.", field=name)
    assignee = fields.get("assignee")
    if assignee is not None and not assignee.is_active:
        raise ValidationFailed(f"Agent {assignee.username} is deactivated.", field="assignee")
    order = fields.get("order")
    requester = fields.get("requester") or (ticket.requester if ticket else None)
    if order is not None and requester is not None and order.customer_id != requester.pk:
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


def create_ticket(
    *,
    actor: Actor,
    requester: Customer,
    subject: str,
    description: str = "",
    ticket_type: TicketType | None = None,
    category: Category | None = None,
    tags: Iterable[str] = (),
    priority: int = Priority.NORMAL,
    status: str = Status.NEW,
    group: Group | None = None,
    assignee=None,
    order: Order | None = None,
    channel: str = Channel.WEB,
    follows_up: Ticket | None = None,
    attachments: Iterable[NewAttachment] = (),
) -> Ticket:
    """A new ticket with its tags and attachments. Everything is checked and built before the write
    transaction begins (on SQLite that transaction holds the one write lock)."""
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
    with transaction.atomic():
        statements.insert(ticket)
        tags = _tag_objects(tag_names) if tag_names else []
        # A new ticket has no tags yet: the links go in without reading them first, and are remembered.
        statements.insert_rows([Ticket.tags.through(ticket=ticket, tag=tag) for tag in tags])
        statements.remember_related(ticket, "tags", tags)
        record_event(actor, ticket, "ticket.created", after=created)
        for attachment in attachments:
            add_attachment(ticket, actor=actor, attachment=attachment)
        signals.ticket_created.send(sender=Ticket, ticket=ticket, actor=actor)
    return ticket


AUDITED_RELATIONS = ("requester", "assignee", "group", "ticket_type", "category", "order")


def _locked(ticket: Ticket, related: tuple[str, ...] = AUDITED_RELATIONS) -> Ticket:
    """The ticket's current row, locked, with the relations a change's audit event reads as "before"
    (or only `related`: another relation is read when it is used)."""
    if not related:  # the plain row, by SQL built once (select_related() would mean every relation)
        current = statements.get_by(Ticket, "pk", ticket.pk, for_update=True)
        if current is None:
            raise Ticket.DoesNotExist(f"Ticket #{ticket.pk} does not exist.")
        return current
    return Ticket.objects.select_for_update(of=("self",)).select_related(*related).get(pk=ticket.pk)


@transaction.atomic
def update_ticket(ticket: Ticket, *, actor: Actor, **changes: Any) -> Ticket:
    """Change any of TICKET_FIELDS; one audit event per field that really changed."""
    current = _locked(ticket)
    if current.is_closed:
        raise Conflict("A closed ticket cannot change; a new message creates a follow-up ticket.")
    changes = _validate_fields(dict(changes), current)
    now = clock.now()
    tag_names = changes.pop("tags", None)
    if "status" in changes:
        lifecycle.check_transition(current.status, changes["status"])
        if changes["status"] != current.status:
            _apply_status_timestamps(current, changes["status"], now)
    changed = apply_changes(current, changes)
    if tag_names is not None:
        before = sorted(current.tags.values_list("name", flat=True))
        if sorted(tag_names) != before:
            current.tags.set(_tag_objects(tag_names))
            changed.append(("tags", before, sorted(tag_names)))
    if changed:
        current.updated_at = now
        current.save()
        for name, before, after in changed:
            if name == "priority":
                before, after = Priority(before).label, Priority(after).label
            record_event(actor, current, f"{name}.changed", field=name, before=before, after=after)
        signals.ticket_changed.send(sender=Ticket, ticket=current, changes=changed, actor=actor)
    return current


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


@transaction.atomic
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
    body = body or ""
    _validate_interaction(channel, direction, kind, call_outcome or "", body)
    notes = _call_note_fields(call_notes)
    attachments = check_attachments(attachments)
    current = _locked(ticket)
    if current.is_closed:
        raise Conflict("A closed ticket cannot change; a new message creates a follow-up ticket.")
    return _write_interaction(
        current, actor=actor, channel=channel, direction=direction, kind=kind, body=body,
        call_outcome=call_outcome or "", notes=notes, occurred_at=occurred_at, author_customer=author_customer,
        external_id=external_id, details=details, attachments=attachments,
    )


def interaction_audit(interaction: Interaction) -> dict[str, Any]:
    """What an interaction's audit event ("interaction.<kind>") records about it."""
    return {
        "channel": interaction.channel, "direction": interaction.direction,
        "call_outcome": interaction.call_outcome or None,
        "has_call_notes": interaction.has_call_notes if interaction.kind == Interaction.Kind.CALL else None,
    }


def _write_interaction(
    current: Ticket, *, actor: Actor, channel: str, direction: str, kind: str, body: str, call_outcome: str,
    notes: dict[str, str], occurred_at: datetime | None, author_customer: Customer | None, external_id: str | None,
    details: dict | None, attachments: list[NewAttachment],
) -> Interaction:
    """The timeline entry on `current`, the ticket's row as `_locked` read it (or as just created), validated."""
    now = clock.now()
    interaction = statements.insert(Interaction(
        ticket=current, channel=channel, direction=direction, kind=kind, call_outcome=call_outcome or "",
        body=body, author_agent=actor.agent, author_customer=author_customer,
        author_label="" if actor.agent or author_customer else actor.label,
        occurred_at=occurred_at or now, created_at=now, external_id=external_id, details=details or {},
        **notes,
    ))
    record_event(actor, current, f"interaction.{kind}", interaction=interaction, after=interaction_audit(interaction))
    for attachment in attachments:
        add_attachment(current, actor=actor, attachment=attachment, interaction=interaction)
    updates: dict[str, Any] = {}
    if author_customer is not None and direction == Interaction.Direction.INBOUND and current.status in (
        Status.PENDING, Status.SOLVED,
    ):
        updates["status"] = Status.OPEN
    if (
        current.first_response_at is None and actor.kind == "agent"
        and direction == Interaction.Direction.OUTBOUND
    ):
        updates["first_response_at"] = interaction.occurred_at
    previous_status = current.status
    if updates.get("status"):
        record_event(actor, current, "status.changed", field="status", before=previous_status, after=Status.OPEN)
        _apply_status_timestamps(current, Status.OPEN, now)
    for name, value in updates.items():
        setattr(current, name, value)
    current.updated_at = now
    statements.update_rows([current], ["updated_at", *updates, *(["solved_at"] if "status" in updates else [])])
    signals.interaction_added.send(sender=Ticket, ticket=current, interaction=interaction, actor=actor)
    if updates.get("status"):
        signals.ticket_changed.send(
            sender=Ticket, ticket=current, changes=[("status", previous_status, Status.OPEN)], actor=actor
        )
    return interaction


@transaction.atomic
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
    body = body or ""
    direction, kind = Interaction.Direction.INBOUND, Interaction.Kind.MESSAGE
    _validate_interaction(channel, direction, kind, "", body)
    attachments = check_attachments(attachments)
    # The one read of the ticket, shared with the interaction; a message changes none of its relations, and
    # the rare follow-up of a closed ticket reads those it copies.
    target = _locked(ticket, related=())
    if target.is_closed:
        previous_owner = target.assignee if target.assignee and target.assignee.is_active else None
        target = create_ticket(
            actor=actor, requester=target.requester, subject=f"Re: {target.subject}"[:250], description=body,
            ticket_type=target.ticket_type, category=target.category, order=target.order, channel=channel,
            group=target.group, assignee=previous_owner, follows_up=target,
            tags=list(target.tags.values_list("name", flat=True)),
        )  # created in this transaction: nobody else can see it, let alone change it
        record_event(actor, ticket, "follow_up.created", after={"ticket": target.pk})
    return _write_interaction(
        target, actor=actor, channel=channel, direction=direction, kind=kind, body=body, call_outcome="", notes={},
        occurred_at=occurred_at, author_customer=customer, external_id=external_id, details=details,
        attachments=attachments,
    )


@transaction.atomic
def add_supporting_document(ticket: Ticket, *, actor: Actor, attachment: NewAttachment) -> Attachment:
    """Attach a document to the ticket itself (not to one message)."""
    current = _locked(ticket)
    if current.is_closed:
        raise Conflict("A closed ticket cannot change; a new message creates a follow-up ticket.")
    row = add_attachment(current, actor=actor, attachment=attachment)
    current.updated_at = clock.now()
    current.save(update_fields=["updated_at"])
    return row


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


def add_attachment(
    ticket: Ticket, *, actor: Actor, attachment: NewAttachment, interaction: Interaction | None = None
) -> Attachment:
    """Store a supporting document. Callers hold the ticket's transaction."""
    check_attachments([attachment])
    filename = _attachment_filename(attachment)
    size = len(attachment.content)
    digest = hashlib.sha256(attachment.content).hexdigest()
    content_type = CONTROL_CHARACTERS.sub("", attachment.content_type or "").strip()[:150]
    row = Attachment(
        ticket=ticket, interaction=interaction, filename=filename,
        content_type=content_type or "application/octet-stream", size=size, sha256=digest,
        created_at=clock.now(),
    )
    row.file.save(filename, ContentFile(attachment.content), save=False)
    row.save()
    record_event(actor, ticket, "attachment.added", interaction=interaction,
                 after={"filename": filename, "size": size, "sha256": digest})
    return row


def close_solved_tickets(*, older_than: timedelta | None = None, batch_size: int = 500) -> int:
    """Close tickets solved longer ago than the configured delay. Safe to run from several workers."""
    delay = older_than if older_than is not None else timedelta(days=settings.SOLVED_TICKET_CLOSE_DAYS)
    cutoff = clock.now() - delay
    actor = Actor.system("auto-close")
    closed = 0
    ids = list(
        Ticket.objects.filter(status=Status.SOLVED, solved_at__lte=cutoff)
        .order_by("solved_at").values_list("pk", flat=True)[:batch_size]
    )
    for pk in ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=pk, status=Status.SOLVED).first()
            if ticket is None or ticket.solved_at is None or ticket.solved_at > cutoff:
                continue  # another worker closed it, or it was reopened
            now = clock.now()
            ticket.status, ticket.closed_at, ticket.updated_at = Status.CLOSED, now, now
            ticket.save(update_fields=["status", "closed_at", "updated_at"])
            record_event(actor, ticket, "status.changed", field="status", before=Status.SOLVED, after=Status.CLOSED)
            signals.ticket_changed.send(
                sender=Ticket, ticket=ticket, changes=[("status", Status.SOLVED, Status.CLOSED)], actor=actor
            )
            closed += 1
    return closed
