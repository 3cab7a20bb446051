"""Ticket statuses, the transitions allowed between them, and interaction vocabularies. Pure rules."""

from __future__ import annotations

from caredesk.core.errors import Conflict

NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED = "new", "open", "pending", "on_hold", "solved", "closed"
STATUSES = (NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED)
ACTIVE_STATUSES = (NEW, OPEN, PENDING, ON_HOLD)
CLOSED_TICKET = "A closed ticket cannot change; a new message creates a follow-up ticket."

# Closed is final; it is reached from solved (by an agent or by the auto-close delay).
TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({OPEN, PENDING, ON_HOLD, SOLVED}),
    OPEN: frozenset({PENDING, ON_HOLD, SOLVED}),
    PENDING: frozenset({OPEN, ON_HOLD, SOLVED}),
    ON_HOLD: frozenset({OPEN, PENDING, SOLVED}),
    SOLVED: frozenset({OPEN, CLOSED}),
    CLOSED: frozenset(),
}


def check_transition(current: str, target: str) -> None:
    if target not in STATUSES:
        raise Conflict(f"Unknown status {target!r}; statuses are {', '.join(STATUSES)}.", field="status")
    if current == CLOSED:
        raise Conflict(CLOSED_TICKET, field="status")
    if target != current and target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise Conflict(f"A {current} ticket cannot become {target} (allowed: {allowed}).", field="status")
