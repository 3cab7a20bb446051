"""Reading the live workspace: who else is on a ticket's page, an agent's time zone, and the change stamps the
pages poll (a ticket's `updated_at`, which every ticket change moves, and the newest `updated_at` of all)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db.models import Max

from caredesk.core import clock
from caredesk.live.models import AgentSettings, TicketPresence
from caredesk.tickets.models import Ticket


def team_time_zone() -> str:
    return settings.TEAM_TIME_ZONE


def own_time_zone(agent) -> str:
    """The zone the agent chose; empty when they use the team's."""
    return AgentSettings.objects.filter(pk=agent.pk).values_list("time_zone", flat=True).first() or ""


def time_zone_of(agent) -> str:
    """The agent's own zone, else the team's."""
    return own_time_zone(agent) or team_time_zone()


def present(ticket_id: int, *, excluding=None) -> list[TicketPresence]:
    """Who has the ticket's page open now (a heartbeat within CAREDESK_PRESENCE_SECONDS), replying first."""
    since = clock.now() - timedelta(seconds=settings.PRESENCE_SECONDS)
    rows = TicketPresence.objects.filter(ticket_id=ticket_id, seen_at__gte=since).select_related("agent")
    if excluding is not None:
        rows = rows.exclude(agent=excluding)
    return sorted(rows, key=lambda row: (row.state != TicketPresence.State.REPLYING, row.agent.username))


def ticket_stamp(ticket_id: int) -> str | None:
    """The ticket's change stamp; None when there is no such ticket."""
    moment = Ticket.objects.filter(pk=ticket_id).values_list("updated_at", flat=True).first()
    return None if moment is None else moment.isoformat()


def tickets_stamp() -> str:
    """The newest change of any ticket (the index on `updated_at` answers it): views and My work refresh on it."""
    moment = Ticket.objects.aggregate(newest=Max("updated_at"))["newest"]
    return moment.isoformat() if moment else ""


def poll_state(agent, *, ticket_id: int | None = None, tickets: bool = False) -> dict:
    """What an open page watches: the agent's unread count, its ticket's stamp, and every ticket's stamp."""
    from caredesk.notifications.queries import unread_count

    state: dict = {"unread": unread_count(agent)}
    if ticket_id is not None:
        state["ticket"] = ticket_stamp(ticket_id)
    if tickets:
        state["tickets"] = tickets_stamp()
    return state


def encode(state: dict) -> tuple[str, str]:
    """(the state as JSON, its entity tag)."""
    body = json.dumps(state, sort_keys=True)
    return body, '"%s"' % hashlib.blake2b(body.encode(), digest_size=12).hexdigest()
