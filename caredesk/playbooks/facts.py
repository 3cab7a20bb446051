"""Gathering what the engine may know about tickets (`TicketFacts`), a batch at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from caredesk.customers.contact import find_phone_numbers
from caredesk.customers.models import ContactPoint
from caredesk.playbooks.engine import TicketFacts
from caredesk.playbooks.spec import CONDITION_FIELDS
from caredesk.tickets.models import Interaction, Ticket

PHONE_SCAN_CHARACTERS = 20_000  # enough for any real email body; bounds the work on a huge one


def tickets_with_facts():
    return Ticket.objects.select_related("ticket_type", "requester__customer_type", "order__industry", "assignee")


def gather_facts(tickets: list[Ticket]) -> dict[int, TicketFacts]:
    """Facts for tickets loaded with `tickets_with_facts()`: four more queries whatever the batch size.

    Tags and contact points are read as flat rows rather than prefetched: Django's prefetch clones a
    queryset per ticket, which costs more than a sweep step itself.
    """
    ids = [ticket.pk for ticket in tickets]
    tags: dict[int, set[str]] = defaultdict(set)
    for ticket_id, name in Ticket.tags.through.objects.filter(ticket_id__in=ids).values_list("ticket_id", "tag__name"):
        tags[ticket_id].add(name)
    contacts: dict[tuple[int, str], list[str]] = defaultdict(list)
    points = ContactPoint.objects.filter(customer_id__in={ticket.requester_id for ticket in tickets})
    for customer_id, kind, value in points.order_by("position", "id").values_list("customer_id", "kind", "value"):
        contacts[customer_id, kind].append(value)
    phones_in_emails: dict[int, list[str]] = defaultdict(list)
    inbound_emails = Interaction.objects.filter(
        ticket_id__in=ids, direction=Interaction.Direction.INBOUND, kind=Interaction.Kind.MESSAGE,
        channel="email", author_customer__isnull=False,
    ).values_list("ticket_id", "body")
    for ticket_id, body in inbound_emails:
        for number in find_phone_numbers(body[:PHONE_SCAN_CHARACTERS]):
            if number not in phones_in_emails[ticket_id]:
                phones_in_emails[ticket_id].append(number)
    last_noted_call: dict[int, datetime] = {}
    # Calls an agent logged: the phone system's record of a customer's missed call has no notes to write.
    calls = Interaction.objects.filter(ticket_id__in=ids, kind=Interaction.Kind.CALL, author_agent__isnull=False)
    for call in calls.order_by("occurred_at", "id").only("ticket_id", "occurred_at", *Interaction.CALL_NOTE_FIELDS):
        if call.has_call_notes:
            last_noted_call[call.ticket_id] = call.occurred_at
    return {ticket.pk: _facts(ticket, tags[ticket.pk], contacts, tuple(phones_in_emails[ticket.pk]),
                              last_noted_call.get(ticket.pk)) for ticket in tickets}


def condition_facts(ticket: Ticket, fields: Iterable[str] = CONDITION_FIELDS) -> TicketFacts:
    """What trigger conditions read (type, industry, customer type, status, tags), from the ticket in hand.

    Only `fields` are read; the others are left empty, so a caller that knows which fields its conditions
    name reads nothing else: a relation is followed only when its id is set (an unloaded one costs a query)
    and the tags are read only when asked for.
    """
    fields = set(fields)
    order = ticket.order if "industry" in fields and ticket.order_id else None
    requester = ticket.requester if "customer_type" in fields else None
    return TicketFacts(
        ticket_type=ticket.ticket_type.key if "ticket_type" in fields and ticket.ticket_type_id else "",
        industry=order.industry.key if order is not None and order.industry_id else None,
        customer_type=requester.customer_type.key if requester and requester.customer_type_id else None,
        status=ticket.status,
        has_linked_order=ticket.order_id is not None,
        tags=frozenset(ticket.tags.values_list("name", flat=True)) if "tags" in fields else frozenset(),
    )


def _facts(ticket, tags, contacts, phones_in_emails, last_noted_call_at) -> TicketFacts:
    requester, order = ticket.requester, ticket.order
    return TicketFacts(
        ticket_type=ticket.ticket_type.key if ticket.ticket_type else "",
        industry=order.industry.key if order is not None and order.industry is not None else None,
        customer_type=requester.customer_type.key if requester.customer_type else None,
        status=ticket.status,
        has_linked_order=order is not None,
        customer_emails=tuple(contacts.get((requester.pk, ContactPoint.Kind.EMAIL), ())),
        customer_phones=tuple(contacts.get((requester.pk, ContactPoint.Kind.PHONE), ())),
        phones_in_customer_emails=phones_in_emails,
        tags=frozenset(tags),
        last_noted_call_at=last_noted_call_at,
        preferred_channel=requester.preferred_channel,
    )
