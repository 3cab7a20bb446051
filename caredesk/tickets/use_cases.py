"""What an agent does in one step, as one function and one transaction, whichever door they use.

The API, the workspace, the CLI and the simulator call these, so every door keeps the same rules: SOP 004's
name, contact information and description on a ticket an agent opens, SOP 000's call notes on a logged
call. Each use case combines the actions of customers and tickets; it writes nothing itself.

A public reply by email reaches the outbox through the `interaction_added` signal (channels/receivers.py),
in the same transaction, so these use cases need nothing above the tickets app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from django.db import transaction

from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError, ValidationFailed
from caredesk.customers import actions as customer_actions
from caredesk.customers.models import ContactPoint, Customer
from caredesk.tickets import actions
from caredesk.tickets.actions import NewAttachment
from caredesk.tickets.models import Channel, Interaction, Ticket

# SOP 000's call notes: each line of the template, and what a call logged without it is told.
CALL_NOTES = {
    "caller_name": ("Caller Name", "Call notes need the caller's name."),
    "call_type": ("Call Type", "Call notes need the call type."),
    "customer_type": ("Customer Type", "Call notes need the customer type."),
    "reason_for_call": ("Reason for Call", "Call notes need the reason for the call."),
    "actions_taken": ("Actions Taken", "Call notes need the actions taken."),
}


@dataclass(frozen=True)
class NewRequester:
    """A customer created with the ticket they ask about."""

    name: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


def _check_reachable(requester: Customer | NewRequester) -> None:
    """SOP 004: a ticket carries the customer's contact information."""
    if isinstance(requester, NewRequester):
        if not any((value or "").strip() for value in [*requester.emails, *requester.phones]):
            raise ValidationFailed("Give an email address or a phone number to reach the requester.",
                                   field="requester.emails")
    elif not ContactPoint.objects.filter(customer=requester).exists():
        raise ValidationFailed(f"{requester} has no email address or phone number; add one to the customer "
                               "before opening a ticket for them.", field="requester_id")


def _new_customer(actor: Actor, requester: NewRequester) -> Customer:
    try:
        return customer_actions.create_customer(actor=actor, name=requester.name, emails=requester.emails,
                                                phones=requester.phones)
    except DomainError as error:  # the fields are the requester's: `emails[0]` is `requester.emails[0]`
        raise type(error)(error.detail, field=f"requester.{error.field}" if error.field else "requester") from None


def open_ticket(
    *, actor: Actor, requester: Customer | NewRequester, subject: str, description: str,
    attachments: Iterable[NewAttachment] = (), **fields: Any,
) -> Ticket:
    """A ticket an agent opens for an existing customer or a new one, created with it (SOP 004: the name,
    contact information and a description of the problem). `fields` are `tickets.actions.create_ticket`'s."""
    if not (description or "").strip():
        raise ValidationFailed("Describe the customer's problem.", field="description")
    _check_reachable(requester)  # a read: before the transaction, which on SQLite holds the one write lock
    if isinstance(requester, Customer):
        return actions.create_ticket(actor=actor, requester=requester, subject=subject, description=description,
                                     attachments=attachments, **fields)
    with transaction.atomic():  # the new requester and the ticket are written together or not at all
        return actions.create_ticket(actor=actor, requester=_new_customer(actor, requester), subject=subject,
                                     description=description, attachments=attachments, **fields)


def _then_set_status(ticket: Ticket, actor: Actor, then_status: str) -> None:
    if then_status:  # the status it has already is no change, and no audit event
        actions.update_ticket(ticket, actor=actor, status=then_status)


def _message_body(body: str) -> str:
    if not (body or "").strip():
        raise ValidationFailed("A message needs a body.", field="body")
    return body


@transaction.atomic
def reply(
    ticket: Ticket, *, actor: Actor, body: str, channel: str = Channel.EMAIL,
    attachments: Iterable[NewAttachment] = (), occurred_at: datetime | None = None, then_status: str = "",
) -> Interaction:
    """A public reply to the requester (sent when its channel is email), then the ticket's status if given."""
    interaction = actions.add_interaction(
        ticket, actor=actor, channel=channel, direction=Interaction.Direction.OUTBOUND,
        kind=Interaction.Kind.MESSAGE, body=_message_body(body), attachments=attachments, occurred_at=occurred_at,
    )
    _then_set_status(ticket, actor, then_status)
    return interaction


@transaction.atomic
def add_note(
    ticket: Ticket, *, actor: Actor, body: str, attachments: Iterable[NewAttachment] = (),
    occurred_at: datetime | None = None, then_status: str = "",
) -> Interaction:
    """An internal note, then the ticket's status if given."""
    interaction = actions.add_interaction(
        ticket, actor=actor, channel=Channel.INTERNAL, direction=Interaction.Direction.INTERNAL,
        kind=Interaction.Kind.NOTE, body=body, attachments=attachments, occurred_at=occurred_at,
    )
    _then_set_status(ticket, actor, then_status)
    return interaction


def call_notes_required(direction: str, outcome: str) -> bool:
    """SOP 000: call notes on every ticket "where you've reached out via phone call": every outbound call,
    whether or not the customer picked up (Actions Taken says what followed), and every call the agent
    answered. A customer's call that never reached an agent (missed, abandoned, voicemail) needs none."""
    return direction == Interaction.Direction.OUTBOUND or outcome == Interaction.CallOutcome.ANSWERED


def missing_call_notes(call_notes: dict[str, str] | None, *, direction: str, outcome: str) -> list[str]:
    """The keys of CALL_NOTES a call with this direction and outcome needs and `call_notes` lacks."""
    if not call_notes_required(direction, outcome):
        return []
    return [key for key in CALL_NOTES if not ((call_notes or {}).get(key) or "").strip()]


@transaction.atomic
def log_call(
    ticket: Ticket, *, actor: Actor, direction: str, outcome: str, call_notes: dict[str, str] | None,
    body: str = "", occurred_at: datetime | None = None, then_status: str = "",
) -> Interaction:
    """A phone call the agent made or took, with SOP 000's call notes, then the ticket's status if given."""
    if outcome not in Interaction.CallOutcome.values:
        raise ValidationFailed(f"A logged call needs its outcome: {', '.join(Interaction.CallOutcome.values)}.",
                               field="call_outcome")
    missing = missing_call_notes(call_notes, direction=direction, outcome=outcome)
    if missing:
        raise ValidationFailed(CALL_NOTES[missing[0]][1], field=f"call_notes.{missing[0]}")
    inbound = direction == Interaction.Direction.INBOUND
    interaction = actions.add_interaction(
        ticket, actor=actor, channel=Channel.PHONE, direction=direction, kind=Interaction.Kind.CALL,
        call_outcome=outcome, call_notes=call_notes, body=body, occurred_at=occurred_at,
        author_customer=ticket.requester if inbound else None,
    )
    _then_set_status(ticket, actor, then_status)
    return interaction


@transaction.atomic
def log_text(
    ticket: Ticket, *, actor: Actor, direction: str, body: str, occurred_at: datetime | None = None,
    then_status: str = "",
) -> Interaction:
    """A text message sent or received outside caredesk, then the ticket's status if given."""
    inbound = direction == Interaction.Direction.INBOUND
    interaction = actions.add_interaction(
        ticket, actor=actor, channel=Channel.SMS, direction=direction, kind=Interaction.Kind.MESSAGE,
        body=_message_body(body), occurred_at=occurred_at, author_customer=ticket.requester if inbound else None,
    )
    _then_set_status(ticket, actor, then_status)
    return interaction


def log_customer_message(
    ticket: Ticket, *, actor: Actor, channel: str, body: str, occurred_at: datetime | None = None,
) -> Interaction:
    """A message the customer sent another way (email to a colleague, chat), logged by an agent. Like any
    customer message, one about a closed ticket lands on a new follow-up ticket."""
    return actions.receive_customer_message(
        ticket, customer=ticket.requester, channel=channel, body=_message_body(body), actor=actor,
        occurred_at=occurred_at,
    )
