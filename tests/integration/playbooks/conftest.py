"""Fixtures for the playbook runner: tickets built through the actions, and a helper to move days."""

from __future__ import annotations

import pytest

from caredesk.core.audit import Actor
from caredesk.customers.actions import create_customer, create_order
from caredesk.customers.models import Industry
from caredesk.tickets.actions import create_ticket
from caredesk.tickets.models import TicketType


@pytest.fixture
def make_ticket(agent):
    actor = Actor.of_agent(agent)

    def make(*, ticket_type="general_inquiry", industry=None, emails=("cx@example.com",), phones=(), order=False,
             tags=(), name="Casey Customer", assignee=agent):
        customer = create_customer(actor=actor, name=name, emails=list(emails), phones=list(phones))
        linked = None
        if order or industry:
            linked = create_order(actor=actor, customer=customer, external_reference=f"ORD-{customer.pk}",
                                  industry=Industry.objects.get(key=industry) if industry else None)
        return create_ticket(actor=actor, requester=customer, subject="Need your documents",
                             ticket_type=TicketType.objects.get(key=ticket_type), order=linked, tags=list(tags),
                             assignee=assignee, status="open")

    return make
