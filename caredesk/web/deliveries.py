"""Delivery state of a ticket's outbound messages (the outbox), for the timeline: one query per ticket."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from caredesk.channels.models import OutboundMessage
from caredesk.tickets.models import Interaction, Ticket


@dataclass
class Deliveries:
    by_interaction: dict[int, list[OutboundMessage]] = field(default_factory=dict)
    unlinked: list[OutboundMessage] = field(default_factory=list)  # automatic messages not written to the timeline yet


def ticket_deliveries(ticket: Ticket) -> Deliveries:
    """The ticket's outbound messages, oldest first: under the reply or text they send, else on their own.
    A reply that came with a merged duplicate keeps its delivery state: its message is found by interaction."""
    by_interaction: dict[int, list[OutboundMessage]] = defaultdict(list)
    unlinked = []
    interactions = Interaction.objects.filter(ticket=ticket).values("id")
    messages = (OutboundMessage.objects.filter(Q(ticket=ticket) | Q(interaction_id__in=interactions))
                .defer("body", "references").order_by("created_at", "id"))
    for message in messages:
        if message.interaction_id is None:
            unlinked.append(message)
        else:
            by_interaction[message.interaction_id].append(message)
    return Deliveries(dict(by_interaction), unlinked)
