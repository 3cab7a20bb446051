"""Gathering what the engine may know about tickets (`TicketFacts`), a batch at a time."""

from __future__ import annotations

from collections import defaultdict

from caredesk.customers.contact import find_phone_numbers
from caredesk.playbooks.engine import TicketFacts
from caredesk.tickets.models import Interaction, Ticket

PHONE_SCAN_CHARACTERS = 20_000  # enough for any real email body; bounds the work on a huge one


def tickets_with_facts():
    return Ticket.objects.select_related(
        "ticket_type", "requester__customer_type", "order__industry", "assignee"
    ).prefetch_related("tags", "requester__contact_points")


def gather_facts(tickets: list[Ticket]) -> dict[int, TicketFacts]:
    """Facts for tickets loaded with `tickets_with_facts()`: two more queries whatever the batch size."""
    ids = [ticket.pk for ticket in tickets]
    phones_in_emails: dict[int, list[str]] = defaultdict(list)
    inbound_emails = Interaction.objects.filter(
        ticket_id__in=ids, direction=Interaction.Direction.INBOUND, kind=Interaction.Kind.MESSAGE,
        channel="email", author_customer__isnull=False,
    ).values_list("ticket_id", "body")
    for ticket_id, body in inbound_emails:
        for number in find_phone_numbers(body[:PHONE_SCAN_CHARACTERS]):
            if number not in phones_in_emails[ticket_id]:
                phones_in_emails[ticket_id].append(number)
    last_call_notes: dict[int, bool] = {}
    # Calls an agent logged: the phone system's record of a customer's missed call has no notes to write.
    calls = Interaction.objects.filter(ticket_id__in=ids, kind=Interaction.Kind.CALL, author_agent__isnull=False)
    calls = calls.order_by("occurred_at", "id")
    for call in calls.only("ticket_id", *Interaction.CALL_NOTE_FIELDS):
        last_call_notes[call.ticket_id] = call.has_call_notes
    return {ticket.pk: facts_of(ticket, tuple(phones_in_emails[ticket.pk]), last_call_notes.get(ticket.pk))
            for ticket in tickets}


def facts_of(ticket: Ticket, phones_in_emails: tuple[str, ...], last_call_has_notes: bool | None) -> TicketFacts:
    requester = ticket.requester
    order = ticket.order
    return TicketFacts(
        ticket_type=ticket.ticket_type.key if ticket.ticket_type else "",
        industry=order.industry.key if order is not None and order.industry is not None else None,
        customer_type=requester.customer_type.key if requester.customer_type else None,
        status=ticket.status,
        has_linked_order=order is not None,
        customer_emails=tuple(requester.emails),
        customer_phones=tuple(requester.phones),
        phones_in_customer_emails=phones_in_emails,
        tags=frozenset(tag.name for tag in ticket.tags.all()),
        last_call_has_notes=last_call_has_notes,
    )
