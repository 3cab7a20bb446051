"""The ticket audit event kinds the tickets app writes (see caredesk.core.events)."""

from __future__ import annotations

from caredesk.core.events import (
    VALUE, WHOLE, EventKind, Quoted, Reading, Sentence, TicketMention, record, register, shortened, value_text,
)
from caredesk.tickets.actions import TICKET_FIELDS
from caredesk.tickets.models import Interaction, TicketEvent

CHANGED = "changed the {field} from {before} to {after}"
FIELD_LABELS = {"ticket_type": "type", "order_status": "order status"}
INTERACTION = record("channel", "direction", "call_outcome", "has_call_notes")
TEXT_FIELDS = ("subject", "description")  # the ticket's own words; its other fields are choices and links


def _field_value(field: str, value) -> str:
    return shortened(value_text(value), 80) if field == "description" else value_text(value)


def _created(reading: Reading) -> dict:
    after = reading.after
    follows_up = after["follows_up"]
    return {"subject": Quoted(after["subject"]), "status": value_text(after["status"]),
            "following": Sentence(", following up {ticket}", {"ticket": TicketMention(follows_up)})
            if follows_up else ""}


def _interactions(events: list) -> dict[int, Interaction]:
    """The events' interactions: those read with them (select_related), the others in one query."""
    link = TicketEvent._meta.get_field("interaction")
    known = {event.interaction_id: event.interaction for event in events if link.is_cached(event)}
    missing = {event.interaction_id for event in events} - set(known)
    return known | (Interaction.objects.in_bulk(missing) if missing else {})


def _message(reading: Reading) -> dict:
    after, interaction = reading.after, reading.loaded[reading.event.interaction_id]
    thread = interaction.details.get("thread")
    inbound = after["direction"] == Interaction.Direction.INBOUND
    return {"verb": "wrote by" if inbound else "sent by", "channel": value_text(after["channel"]),
            "thread": f" ({thread} thread)" if thread else "", "body": Quoted(shortened(interaction.body))}


def _call(reading: Reading) -> dict:
    after = reading.after
    outcome = Interaction.CallOutcome(after["call_outcome"]).label if after["call_outcome"] else "no outcome"
    notes = {True: ", with call notes", False: ", WITHOUT call notes"}.get(after["has_call_notes"], "")
    if reading.event.actor_kind != "agent":  # the phone system: call notes are an agent's to write
        notes = ""
    return {"direction": after["direction"], "outcome": outcome, "notes": notes}


def _note(reading: Reading) -> dict:
    return {"body": Quoted(shortened(reading.loaded[reading.event.interaction_id].body))}


def _passages(reading: Reading) -> dict:
    occurrences = reading.after["occurrences"]
    return {"passages": f"{occurrences} passage{'' if occurrences == 1 else 's'}"}


def declare() -> None:
    register(
        TicketEvent,
        EventKind("ticket.created", "created the ticket {subject}, {status}{following}", after=record(
            "subject", "status", "priority", "requester", "ticket_type", "category", "group", "assignee", "order",
            "channel", "tags", "follows_up"), values=_created, quotes=("subject",)),
        *(EventKind(f"{name}.changed", CHANGED, field=name, before=VALUE, after=VALUE, field_labels=FIELD_LABELS,
                    value_label=_field_value, quotes=(WHOLE,) if name in TEXT_FIELDS else ())
          for name in sorted(TICKET_FIELDS)),
        EventKind("interaction.note", "wrote the internal note {body}", after=INTERACTION, values=_note,
                  load=_interactions),
        EventKind("interaction.message", "{verb} {channel}{thread}: {body}", after=INTERACTION, values=_message,
                  load=_interactions),
        EventKind("interaction.call", "logged an {direction} call: {outcome}{notes}", after=INTERACTION,
                  values=_call),
        EventKind("interaction.redacted", "redacted {passages} of a timeline entry", after=record("occurrences"),
                  values=_passages),
        *(EventKind(f"{name}.redacted", f"redacted {{passages}} of the {name}", field=name,
                    after=record("occurrences"), values=_passages) for name in TEXT_FIELDS),
        EventKind("record.redacted", "redacted {passages} in {record}", after=record("record", "ids", "occurrences"),
                  values=lambda reading: {**_passages(reading), "record": reading.after["record"]}),
        EventKind("attachment.added", "added the document {filename}", after=record("filename", "size", "sha256")),
        EventKind("attachment.removed", "removed the document {filename}",
                  after=record("filename", "size", "sha256")),
        EventKind("follow_up.created", "received a message on the closed ticket: it went to the follow-up ticket "
                  "{ticket}", after=record("ticket"), values=lambda reading: {
                      "ticket": TicketMention(reading.after["ticket"])}),
        # written by the playbooks when a step sets the linked order's status (with the order's CustomerEvent)
        EventKind("order.status.changed", CHANGED, field="order_status", before=VALUE, after=VALUE,
                  field_labels=FIELD_LABELS),
    )
