"""The audit event kind of the Care Clarifications Form (see caredesk.core.events)."""

from __future__ import annotations

from caredesk.core.events import EventKind, record, register
from caredesk.tickets.models import TicketEvent


def declare() -> None:
    register(TicketEvent, EventKind(
        "clarification.filed", "filled in the Care Clarifications Form: {category} › {sub_category}: {details}",
        after=record("clarification", "category", "sub_category", "details"), quotes=("details",)))
