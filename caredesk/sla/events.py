"""The audit event kinds of priority and SLA clocks (see caredesk.core.events). Each clock event carries the
metric, its cycle, its due time (UTC, or null while paused or ended) and the sentence the action wrote in the
calendar's time zone (`description`); a breach is recorded when it happens, its `due_at` says when it fell due."""

from __future__ import annotations

from caredesk.core.events import VALUE, EventKind, record, register
from caredesk.customers.models import CustomerEvent
from caredesk.sla.models import SlaEvent
from caredesk.tickets.models import TicketEvent

CLOCK_KINDS = ("started", "paused", "resumed", "fulfilled", "stopped", "breached", "warned", "recomputed")
CLOCK = record("metric", "cycle", "due_at", "description")


def declare() -> None:
    register(SlaEvent, *(EventKind(f"sla.{name}", "{description}", field="sla", after=CLOCK)
                         for name in CLOCK_KINDS))
    register(SlaEvent, EventKind("sla.policy.applied", "{description}", field="sla_policy", before=VALUE,
                                 after=record("policy", "description")))
    register(
        TicketEvent,
        EventKind("priority.assessed", "{explanation}", field="priority_assessment",
                  after=record("impact", "urgency", "priority", "explanation")),
        EventKind("priority.overridden", "{explanation}", field="priority_assessment",
                  after=record("priority", "reason", "explanation")),
        EventKind("priority.override.cleared", "{explanation}", field="priority_assessment",
                  after=record("priority", "explanation")),
    )
    register(CustomerEvent, EventKind("contract_tier.changed", "changed the contract tier from {before} to {after}",
                                      field="contract_tier", before=VALUE, after=VALUE))
