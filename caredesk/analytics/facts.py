"""What one ticket's audit events say, as plain data: when it was created, first responded to, first solved and
first reopened, how often it was reopened, how many public agent responses came before its first solve. Pure:
no Django import, so the rules are tested in microseconds and any past range can be recomputed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

RESOLVED = ("solved", "closed")
RESPONSES = ("interaction.message", "interaction.call")


@dataclass(frozen=True)
class Event:
    action: str
    at: datetime
    actor_kind: str
    before: object = None
    after: object = None


@dataclass(frozen=True)
class Facts:
    created_at: datetime | None
    first_response_at: datetime | None
    first_solved_at: datetime | None
    first_reopened_at: datetime | None
    reopen_count: int
    agent_replies: int

    @property
    def one_touch(self) -> bool | None:
        """Solved after a single public agent response and never reopened; None while unsolved."""
        if self.first_solved_at is None:
            return None
        return self.agent_replies == 1 and self.reopen_count == 0


def _is_agent_response(event: Event) -> bool:
    return (event.action in RESPONSES and event.actor_kind == "agent" and isinstance(event.after, dict)
            and event.after.get("direction") == "outbound")


def facts_of(events: Iterable[Event]) -> Facts:
    """The facts of a ticket from its events, in the order they happened."""
    created = first_response = first_solved = first_reopened = None
    reopens = replies = 0
    for event in sorted(events, key=lambda event: event.at):
        if event.action == "ticket.created" and created is None:
            created = event.at
        elif _is_agent_response(event):
            first_response = first_response or event.at
            if first_solved is None:
                replies += 1
        elif event.action == "status.changed":
            if event.after == "solved" and first_solved is None:
                first_solved = event.at
            elif event.before in RESOLVED and event.after not in RESOLVED:
                reopens += 1
                first_reopened = first_reopened or event.at
    return Facts(created, first_response, first_solved, first_reopened, reopens, replies)


def elapsed(start: datetime | None, end: datetime | None,
            business: Callable[[datetime, datetime], int] | None = None) -> int | None:
    """Seconds from start to end (business seconds with `business`); None when either is missing."""
    if start is None or end is None:
        return None
    if business is not None:
        return business(start, end)
    return max(0, int((end - start).total_seconds()))
