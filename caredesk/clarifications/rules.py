"""SOP 000's rule for the Care Clarifications Form, as a pure decision: may this ticket have one? No database."""

from __future__ import annotations

from dataclasses import dataclass

RESOLVED = ("solved", "closed")  # a closed ticket is a solved one the auto-close closed


@dataclass(frozen=True)
class ClarificationFacts:
    status: str
    # The ticket's latest customer event is a reply to a closed ticket: the message that opened it as the
    # follow-up of a closed ticket, or the follow-up its closed self received.
    latest_customer_event_replies_to_closed: bool


def refusal(facts: ClarificationFacts) -> str:
    """Why the form is refused, or "" when it is accepted."""
    if facts.status not in RESOLVED:
        return (f"The Care Clarifications Form is for RESOLVED tickets only; this ticket is {facts.status}. "
                "Solve it first.")
    if facts.latest_customer_event_replies_to_closed:
        return ("The customer replied to a closed ticket: this is NOT a clarification (SOP 000). Call the "
                "customer instead.")
    return ""
