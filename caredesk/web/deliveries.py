"""Delivery state of a ticket's outbound messages (the outbox), for the timeline: one query per ticket."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from caredesk.channels.models import OutboundMessage
from caredesk.tickets.models import Ticket


@dataclass
class Deliveries:
    by_interaction: dict[int, list[OutboundMessage]] = field(default_factory=dict)
    unlinked: list[OutboundMessage] = field(default_factory=list)  # automatic messages not written to the timeline yet


def ticket_deliveries(ticket: Ticket) -> Deliveries:
    """The ticket's outbound messages, oldest first: under the reply or text they send, else on their own."""
    by_interaction: dict[int, list[OutboundMessage]] = defaultdict(list)
    unlinked = []
    messages = OutboundMessage.objects.filter(ticket=ticket).defer("body", "references").order_by("created_at", "id")
    for message in messages:
        if message.interaction_id is None:
            unlinked.append(message)
        else:
            by_interaction[message.interaction_id].append(message)
    return Deliveries(dict(by_interaction), unlinked)
