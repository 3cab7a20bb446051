"""The live workspace for integrations: who is on a ticket (presence, and a heartbeat for a client that shows a
ticket), and the signed-in agent's own settings (their time zone)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.types import Id, InputSchema, ShortText
from caredesk.core.roles import WORK_TICKETS
from caredesk.live import actions, queries
from caredesk.live.models import TicketPresence
from caredesk.tickets.models import Ticket

router = Router(tags=["live"])


class PresenceOut(Schema):
    agent: str = Field(description="The agent's username.")
    name: str = Field(description="The agent's name.")
    state: str = Field(description="viewing, or replying (writing in the composer).")
    seen_at: datetime = Field(description="Their page's last heartbeat.")

    @staticmethod
    def resolve_agent(row: TicketPresence) -> str:
        return row.agent.username

    @staticmethod
    def resolve_name(row: TicketPresence) -> str:
        return row.agent.display_name


class BeatIn(InputSchema):
    state: Literal["viewing", "replying"] = "viewing"


class SettingsOut(Schema):
    time_zone: str = Field(description="The agent's own time zone; empty: the team's.")
    effective_time_zone: str = Field(description="The zone the workspace shows the agent's times in.")


class SettingsIn(InputSchema):
    time_zone: ShortText = Field(description="An IANA time zone such as America/Chicago; empty: the team's.")


@router.get("/tickets/{ticket_id}/presence", response=list[PresenceOut])
def ticket_presence(request, ticket_id: Id):
    """The agents with the ticket open now, replying first (heartbeats within CAREDESK_PRESENCE_SECONDS)."""
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return queries.present(ticket.pk)


@router.post("/tickets/{ticket_id}/presence", response=list[PresenceOut])
def beat_presence(request, ticket_id: Id, payload: BeatIn):
    """The signed-in agent has the ticket open (`viewing`) or is writing on it (`replying`); answers who else is
    on it. Send it at least every CAREDESK_PRESENCE_SECONDS."""
    agent = require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    actions.beat(agent, ticket, payload.state)
    return queries.present(ticket.pk, excluding=agent)


def _settings(agent) -> dict:
    own = queries.own_time_zone(agent)
    return {"time_zone": own, "effective_time_zone": own or queries.team_time_zone()}


@router.get("/me/settings", response=SettingsOut)
def my_settings(request):
    """The signed-in agent's workspace settings."""
    return _settings(require(request, WORK_TICKETS))


@router.put("/me/settings", response=SettingsOut)
def update_my_settings(request, payload: SettingsIn):
    """Set the signed-in agent's time zone (422 naming `time_zone` for an unknown zone); audited."""
    agent = require(request, WORK_TICKETS)
    actions.set_time_zone(agent, payload.time_zone)
    return _settings(agent)
