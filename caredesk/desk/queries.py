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

