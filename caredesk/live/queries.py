"""Reading the live workspace: who else is on a ticket's page, an agent's time zone, and the change stamps the
pages poll (a ticket's `updated_at`, which every ticket change moves, and the newest `updated_at` of all)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection

from caredesk.core import clock
from caredesk.live.models import AgentSettings, TicketPresence
from caredesk.tickets.models import Ticket

TOKEN_SALT = "caredesk.live.poll"
TOKEN_MAX_AGE = 24 * 3600  # a page open longer polls no more (a reload signs a new token)


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


def poll_state(agent_id: int, *, ticket_id: int | None = None, tickets: bool = False) -> dict | None:
    """What an open page watches, read with one statement: the agent's unread count, its ticket's change stamp
    (`updated_at`, which every ticket change moves) and, for a list, the newest change of any ticket (the index
    on `updated_at` answers it). None when the agent is no longer active."""
    from caredesk.core.models import Agent
    from caredesk.notifications.models import Notification

    ticket_table, agent_table = Ticket._meta.db_table, Agent._meta.db_table
    columns = [f"(SELECT is_active FROM {agent_table} WHERE id = %s)",
               f"(SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE agent_id = %s AND read_at IS NULL)"]
    parameters: list = [agent_id, agent_id]
    if ticket_id is not None:
        columns.append(f"(SELECT updated_at FROM {ticket_table} WHERE id = %s)")
        parameters.append(ticket_id)
    if tickets:
        columns.append(f"(SELECT MAX(updated_at) FROM {ticket_table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), parameters)
        row = list(cursor.fetchone())
    if not row.pop(0):
        return None
    state: dict = {"unread": row.pop(0)}
    if ticket_id is not None:
        state["ticket"] = str(row.pop(0))
    if tickets:
        state["tickets"] = str(row.pop(0))
    return state


def encode(state: dict) -> tuple[str, str]:
    """(the state as JSON, its entity tag)."""
    body = json.dumps(state, sort_keys=True)
    return body, '"%s"' % hashlib.blake2b(body.encode(), digest_size=12).hexdigest()


def poll_token(agent_id: int, ticket_id: int | None, tickets: bool) -> str:
    """What a page may poll, signed: the poll then needs no session (one statement per poll, not four)."""
    return signing.dumps([agent_id, ticket_id, tickets], salt=TOKEN_SALT, compress=False)


def read_poll_token(token: str) -> tuple[int, int | None, bool] | None:
    """The token's (agent, ticket, tickets), or None when it is forged or older than a day."""
    try:
        agent_id, ticket_id, tickets = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(agent_id), (int(ticket_id) if ticket_id is not None else None), bool(tickets)
