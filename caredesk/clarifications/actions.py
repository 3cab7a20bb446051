"""The only writer of Care Clarifications Form entries (SOP 000), each with a TicketEvent on the ticket.

`file_clarification` accepts an entry only on a RESOLVED ticket (solved, or closed after it was solved) and
refuses it, with the reason, when the ticket's latest customer event is a reply to a closed ticket: main
records such a reply as a new follow-up ticket (`Ticket.follows_up`) opened by the customer's message, and a
`follow_up.created` event on the closed one (caredesk.tickets.actions.receive_customer_message).
Event kind: clarification.filed.
"""

from __future__ import annotations

from django.db import transaction

from caredesk.clarifications import rules
from caredesk.clarifications.models import Category, Clarification, SubCategory
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Interaction, Ticket, TicketEvent


def replies_to_closed(ticket: Ticket) -> bool:
    """Is the ticket's latest customer event a reply to a closed ticket?"""
    inbound = ticket.interactions.filter(direction=Interaction.Direction.INBOUND, author_customer__isnull=False)
    latest = inbound.order_by("-occurred_at", "-id").values_list("pk", "occurred_at").first()
    follow_up = TicketEvent.objects.filter(ticket=ticket, action="follow_up.created").order_by("-at").values_list(
        "at", flat=True).first()
    if follow_up is not None and (latest is None or follow_up >= latest[1]):
        return True  # the customer wrote to it after it closed: that reply went to a follow-up ticket
    if ticket.follows_up_id and latest is not None:
        opening = inbound.order_by("occurred_at", "id").values_list("pk", flat=True).first()
        return latest[0] == opening  # the message that opened this follow-up of a closed ticket
    return False


def refusal(ticket: Ticket) -> str:
    return rules.refusal(rules.ClarificationFacts(ticket.status, replies_to_closed(ticket)))


@transaction.atomic
def file_clarification(ticket: Ticket, *, agent, category: str, sub_category: int | None,
                       details: str) -> Clarification:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    refused = refusal(ticket)
    if refused:
        raise Conflict(refused)
    if category not in Category.values:
        raise ValidationFailed(f"Choose {' or '.join(Category.labels)}.", field="category")
    chosen = SubCategory.objects.filter(pk=sub_category, category=category, active=True).first() \
        if sub_category else None
    if chosen is None:
        raise ValidationFailed(f"Choose a sub-category of {Category(category).label}.", field="sub_category")
    if not (details or "").strip():
        raise ValidationFailed("Describe the clarification.", field="details")
    entry = Clarification.objects.create(ticket=ticket, agent=agent, category=category, sub_category=chosen,
                                         details=details.strip(), created_at=clock.now())
    ticket_actions.record_event(Actor.of_agent(agent), ticket, "clarification.filed", after={
        "clarification": entry.pk, "category": Category(category).label, "sub_category": chosen.name,
        "details": entry.details})
    return entry
