"""The only writers of the live workspace's rows.

- `set_time_zone`: an agent's own time zone (AgentEvent `time_zone.changed`; blank returns to the team's).
- `beat` / `leave`: presence on a ticket's page. A page beats every CAREDESK_PRESENCE_SECONDS / 3 while open
  (state viewing, or replying while the composer holds text) and leaves when closed; a row not refreshed for
  CAREDESK_PRESENCE_SECONDS is no longer shown. Presence is operational, like a process heartbeat: it is not
  a change of any record and writes no audit event (an agent's work on the ticket is audited as it is done).
Event kinds: time_zone.changed.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from django.db import transaction

from caredesk.core import clock
from caredesk.core.actions import record_agent_event
from caredesk.core.audit import Actor
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import Agent
from caredesk.live.models import AgentSettings, TicketPresence
from caredesk.tickets.models import Ticket


def check_time_zone(zone: str) -> str:
    zone = (zone or "").strip()
    if zone and zone not in available_timezones():
        raise ValidationFailed(f"{zone!r} is not a time zone; use an IANA name such as America/New_York.",
                               field="time_zone")
    return zone


@transaction.atomic
def set_time_zone(agent: Agent, zone: str, *, actor: Actor | None = None) -> AgentSettings:
    """Set `agent`'s time zone (an IANA name; blank: the team's). Nothing changed writes nothing."""
    zone = check_time_zone(zone)
    row, _ = AgentSettings.objects.select_for_update().get_or_create(agent=agent)
    if row.time_zone != zone:
        before, row.time_zone = row.time_zone, zone
        row.save(update_fields=["time_zone"])
        record_agent_event(actor or Actor.of_agent(agent), agent, "time_zone.changed", field="time_zone",
                           before=before or None, after=zone or None)
    return row


def beat(agent: Agent, ticket: Ticket, state: str = TicketPresence.State.VIEWING) -> None:
    """`agent` has `ticket`'s page open now (`state`: viewing or replying)."""
    if state not in TicketPresence.State.values:
        raise ValidationFailed(f"State must be one of {', '.join(TicketPresence.State.values)}.", field="state")
    TicketPresence.objects.update_or_create(agent=agent, ticket=ticket,
                                            defaults={"state": state, "seen_at": clock.now()})


def leave(agent: Agent, ticket: Ticket) -> None:
    """`agent` closed `ticket`'s page."""
    TicketPresence.objects.filter(agent=agent, ticket=ticket).delete()
