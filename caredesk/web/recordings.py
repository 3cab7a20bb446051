"""The ticket's recordings as the timeline shows them under their call: a player, a form asking a Resolution
Specialist for the reason past the open days, or why not. One query per ticket."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from caredesk.recordings import actions
from caredesk.recordings.models import Recording
from caredesk.tickets.models import Ticket


@dataclass
class Playable:
    recording: Recording
    refusal: str | None  # why this agent may not play it at all
    needs_reason: bool  # a Resolution Specialist past the open days: the form first


def playable(recording: Recording, agent) -> Playable:
    refusal = actions.refusal(recording, agent)
    return Playable(recording, refusal, refusal is None and actions.needs_specialist(recording))


def ticket_recordings(ticket: Ticket, agent) -> dict[int, list[Playable]]:
    """The ticket's recordings by the call or voicemail they belong to."""
    by_interaction: dict[int, list[Playable]] = defaultdict(list)
    for recording in Recording.objects.filter(ticket=ticket, interaction__isnull=False):
        by_interaction[recording.interaction_id].append(playable(recording, agent))
    return dict(by_interaction)
