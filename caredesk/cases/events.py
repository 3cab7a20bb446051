"""The audit event kinds of escalation cases (see caredesk.core.events). Each carries the case's id and the
sentence the action wrote (`description`), plus the details of that step."""

from __future__ import annotations

from caredesk.core.events import EventKind, record, register
from caredesk.tickets.models import TicketEvent

KINDS = {
    "opened": ("primary_reason", "documentation"),
    "documentation_requested": ("needed", "interaction"),
    "documentation_refused": ("assignee",),
    "documents_attached": ("documents",),
    "documentation_received": (),
    "assigned": ("assignee",),
    "assignment_accepted": ("assignee",),
    "assignment_rejected": ("assignee", "reason"),
    "assignment_returned": ("assignee", "reason"),
    "closed": ("closed_reason", "reason"),
    "edited": ("changes",),
}


def declare() -> None:
    register(TicketEvent, *(
        EventKind(f"case.{name}", "{description}", field="case", after=record("case", "description", *keys),
                  quotes=("reason",) if "reason" in keys else ())
        for name, keys in KINDS.items()
    ))
