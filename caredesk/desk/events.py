"""The audit event kinds of the desk: the responses library and round robins (DeskEvent), and macros,
merges and bulk changes as the tickets they touch record them (TicketEvent). See caredesk.core.events."""

from __future__ import annotations

from caredesk.core.events import VALUE, EventKind, Reading, TicketMention, record, register, value_text
from caredesk.desk.models import DeskEvent
from caredesk.tickets.models import TicketEvent

CANNED = record("name", "tabs", "body", "fields", "active")
ROTATION = record("active", "agents", optional=("of_members",))  # events before of_members lack it
MACRO = record("name", "tab", "body", "status", "priority", "ticket_type", "category", "group", "assignee",
               "add_tags", "active")


def _merged(reading: Reading) -> dict:
    after = reading.after
    return {"ticket": TicketMention(after["ticket"]), "interactions": after["interactions"],
            "follow_ups": after["follow_ups"]}


def _rotation(reading: Reading) -> dict:
    after = reading.after
    who = ("the group's members" if after.get("of_members")
           else f"agents {value_text(after['agents'])}" if after["agents"] else "no agents")
    return {"active": value_text(after["active"]), "who": who}


def _members(reading: Reading) -> dict:
    after = reading.after
    changes = [f"{key} {', '.join(after[key])}" for key in ("added", "removed") if after[key]]
    return {"group": after["group"], "changes": "; ".join(changes)}


def declare() -> None:
    register(
        DeskEvent,
        EventKind("canned_response.created", "created the canned response {name}", field="canned_response",
                  after=CANNED),
        EventKind("canned_response.changed", "changed the canned response {name}", field="canned_response",
                  before=CANNED, after=CANNED),
        EventKind("macro.created", "created the macro {name}", field="macro", after=MACRO),
        EventKind("macro.changed", "changed the macro {name}", field="macro", before=MACRO, after=MACRO),
        EventKind("group.members.changed", "changed the members of the group {group}: {changes}", field="members",
                  before=VALUE, after=record("group", "members", "added", "removed"), values=_members),
        EventKind("round_robin.changed", "changed the round robin: on {active}, {who}",
                  field="round_robin", before=record(*ROTATION.keys, optional=ROTATION.optional, nullable=True),
                  after=ROTATION, values=_rotation),
        EventKind("round_robin.assigned", "assigned by round robin in {group}: {agent}", field="round_robin",
                  after=record("group", "agent", "ticket")),
    )
    register(
        TicketEvent,
        EventKind("macro.applied", "applied the macro {name}", field="macro", after=record("macro", "name")),
        EventKind("ticket.merged_into", "merged this ticket into {ticket}: {interactions} interactions and "
                  "{follow_ups} follow-ups moved there", field="merge",
                  after=record("ticket", "interactions", "follow_ups"), values=_merged),
        EventKind("ticket.merged_from", "merged {ticket} into this ticket: {interactions} interactions and "
                  "{follow_ups} follow-ups moved here", field="merge",
                  after=record("ticket", "interactions", "follow_ups"), values=_merged),
    )
