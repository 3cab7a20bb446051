"""Who hears of SLA warnings: the pure rule `deliver_warnings` applies (no Django import).

A warning reaches the ticket's assignee and, as the ticket's policy says (`warn_group`), the members of its group:
always, only while the ticket is unassigned, or never. Each recipient hears once per sweep of all their
warnings (`by_recipient`): an agent who is both the assignee and a member is told once, and a group of 20 with
50 warnings in one sweep gets 20 notifications, not 1,000.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

ALWAYS = "always"
WHEN_UNASSIGNED = "unassigned"
NEVER = "never"
WARN_GROUP_CHOICES = [(ALWAYS, "always"), (WHEN_UNASSIGNED, "only while the ticket is unassigned"),
                      (NEVER, "never (the assignee only)")]


@dataclass(frozen=True)
class Warning:
    """One target warned: `key` names it for the caller; whom the ticket has; the policy's `warn_group`."""

    key: Hashable
    assignee: int | None
    group: int | None
    warn_group: str = ALWAYS


def tells_group(warning: Warning) -> bool:
    """Whether the policy tells the ticket's group of this warning."""
    return warning.warn_group == ALWAYS or (warning.warn_group == WHEN_UNASSIGNED and warning.assignee is None)


def recipients(warning: Warning, members: Mapping[int, Iterable[int]]) -> list[int]:
    """The agents told of one warning, the assignee first, each once."""
    told = [warning.assignee] if warning.assignee is not None else []
    if tells_group(warning) and warning.group is not None:
        told += [agent for agent in members.get(warning.group, ()) if agent not in told]
    return told


def by_recipient(warnings: Iterable[Warning], members: Mapping[int, Iterable[int]]) -> dict[int, list[Hashable]]:
    """Each recipient's warnings, in the order given: one notification each."""
    found: dict[int, list[Hashable]] = {}
    for warning in warnings:
        for agent in recipients(warning, members):
            found.setdefault(agent, []).append(warning.key)
    return found
