"""What processing a batch of inbound messages reads about them, read once for the whole batch.

Which of their Message-IDs are already known (a processed or ignored inbound message, a timeline entry,
one of our outbound messages), which tickets the messages they reply to are on, and which customers own
their senders' addresses. A message of the batch
that finishes is remembered, so a later message of the same batch sees it as the database would.
"""

from __future__ import annotations

from collections.abc import Iterable

from caredesk.channels.email.parsing import ParsedEmail
from caredesk.channels.email.tokens import thread_candidates
from caredesk.channels.models import InboundMessage, OutboundMessage
from caredesk.customers.models import ContactPoint, Customer
from caredesk.tickets.models import Interaction

FINISHED = (InboundMessage.Status.PROCESSED, InboundMessage.Status.IGNORED)


class BatchLookups:
    def __init__(self, messages: Iterable[ParsedEmail], batch: Iterable[int]) -> None:
        messages = list(messages)
        message_ids = list({message.message_id for message in messages})
        senders = list({message.from_address for message in messages if message.from_address})
        self._finished: dict[str, int] = {}  # Message-ID -> the newest finished inbound message with it
        finished = (InboundMessage.objects.filter(message_id__in=message_ids, status__in=FINISHED)
                    .exclude(pk__in=list(batch)).values_list("message_id", "pk"))
        for message_id, inbound_id in finished:
            self._finished[message_id] = max(inbound_id, self._finished.get(message_id, 0))
        # Our messages among the batch's Message-IDs and the ids they reply to, and the tickets they are on.
        candidates = {identifier for message in messages for identifier in thread_candidates(message)}
        known = list(candidates.union(message_ids))
        on_timeline = dict(Interaction.objects.filter(external_id__in=known).values_list("external_id", "ticket_id"))
        outbound = dict(OutboundMessage.objects.filter(message_id__in=known).values_list("message_id", "ticket_id"))
        self._on_timeline = on_timeline.keys() & set(message_ids)
        self._outbound = outbound.keys() & set(message_ids)
        self.owners: dict[str, int] = {**on_timeline, **outbound}  # as routing.message_owners answers
        self._customers: dict[str, Customer] = {
            point.value: point.customer for point in ContactPoint.objects.select_related("customer")
            .filter(kind=ContactPoint.Kind.EMAIL, value__in=senders)
        }

    def finished_with(self, message_id: str) -> int | None:
        """The newest processed or ignored inbound message with this Message-ID."""
        return self._finished.get(message_id)

    def on_timeline(self, message_id: str) -> bool:
        return message_id in self._on_timeline

    def ours(self, message_id: str) -> bool:
        """One of our outbound messages has this Message-ID."""
        return message_id in self._outbound

    def customer(self, address: str) -> Customer | None:
        return self._customers.get(address.lower())

    def remember(self, row: InboundMessage, parsed: ParsedEmail) -> None:
        """`row` finished and committed (to its savepoint): later messages of the batch see it."""
        if row.status not in FINISHED:
            return
        self._finished[parsed.message_id] = max(row.pk, self._finished.get(parsed.message_id, 0))
        if row.interaction is not None:
            self._on_timeline.add(parsed.message_id)
            self.owners.setdefault(parsed.message_id, row.interaction.ticket_id)
            if parsed.from_address and row.interaction.author_customer is not None:
                self._customers[parsed.from_address] = row.interaction.author_customer
