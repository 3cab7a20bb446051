"""A customer's recent history for the customer page: their CustomerEvent audit trail (the customer, contact
points and orders), newest first, each as the audit registry's sentence, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caredesk.core import events
from caredesk.customers.models import Customer, CustomerEvent
from caredesk.web.queries import EVENT_STYLE


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    what: str  # HTML: e.g. "changed the importance from <em>Standard</em> to <em>Key</em>"


def recent_history(customer: Customer, limit: int) -> tuple[list[HistoryRow], bool]:
    """The newest `limit` rows, and whether there are older ones."""
    rows = list(CustomerEvent.objects.filter(customer=customer).select_related("actor", "order")
                .order_by("-at", "-id")[: limit + 1])
    shown = rows[:limit]
    return [HistoryRow(event.at, event.actor.display_name if event.actor_id else event.actor_label,
                       sentence.render(EVENT_STYLE))
            for event, sentence in zip(shown, events.describe_all(shown))], len(rows) > limit
