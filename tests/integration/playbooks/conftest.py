"""Fixtures for the playbook runner: tickets built through the actions, and a helper to move days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caredesk.core import clock

from caredesk.core.audit import Actor
from caredesk.customers.actions import create_customer, create_order
from caredesk.customers.models import Industry
from caredesk.playbooks.registry import playbook_of
from caredesk.tickets.actions import create_ticket
from caredesk.tickets.models import TicketType


@pytest.fixture
def make_ticket(agent):
    actor = Actor.of_agent(agent)

    def make(*, ticket_type="general_inquiry", industry=None, emails=None, phones=(), order=False,
             tags=(), name="Casey Customer", assignee=agent):
        if emails is None:  # one address per customer: an address belongs to one customer only
            emails = [f"{name.lower().replace(' ', '.')}@example.com"]
        customer = create_customer(actor=actor, name=name, emails=list(emails), phones=list(phones))
        linked = None
        if order or industry:
            linked = create_order(actor=actor, customer=customer, external_reference=f"ORD-{customer.pk}",
                                  industry=Industry.objects.get(key=industry) if industry else None)
        return create_ticket(actor=actor, requester=customer, subject="Need your documents",
                             ticket_type=TicketType.objects.get(key=ticket_type), order=linked, tags=list(tags),
                             assignee=assignee, status="open")

    return make


def move_to_day(run, day: int) -> None:
    """Move the frozen clock an hour into business day `day` of the run, by the playbook's own calendar."""
    calendar = playbook_of(run.definition).days
    clock.set_virtual(calendar.day_start(run.started_at, day) + timedelta(hours=1))


@pytest.fixture(name="move_to_day")
def move_to_day_fixture():
    return move_to_day
