"""Read-side queries of the desk: who belongs to which ticket group."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from caredesk.core.models import Agent
from caredesk.desk.models import GroupMembership


def members_by_group(group_ids: Iterable[int]) -> dict[int, list[Agent]]:
    """The active members of each group, by username, in one query."""
    found: dict[int, list[Agent]] = defaultdict(list)
    rows = (GroupMembership.objects.filter(group_id__in=list(group_ids), agent__is_active=True)
            .select_related("agent").order_by("agent__username"))
    for row in rows:
        found[row.group_id].append(row.agent)
    return found


def group_ids_of(agent: Agent) -> list[int]:
    """The ids of the groups `agent` belongs to, read once per agent object (a request's signed-in agent): a
    view filters on them as values, so the database walks the (group, status, id) index for each."""
    ids = getattr(agent, "_group_ids", None)
    if ids is None:
        ids = agent._group_ids = sorted(GroupMembership.objects.filter(agent=agent).values_list("group_id", flat=True))
    return ids
