"""Fixtures for the database tests: a ticket, an order, and agents in other roles."""

from __future__ import annotations

import pytest

from caredesk.core import roles
from caredesk.core.audit import Actor


@pytest.fixture
def actor(agent):
    return Actor.of_agent(agent)


@pytest.fixture
def order(customer, actor):
    from caredesk.customers.actions import create_order
    from caredesk.customers.models import Industry

    return create_order(actor=actor, customer=customer, external_reference="PP-1001",
                        industry=Industry.objects.get(key="us_passport"), status="Processing")


@pytest.fixture
def ticket(customer, actor):
    from caredesk.tickets.actions import create_ticket

    return create_ticket(actor=actor, requester=customer, subject="Where is my passport?",
                         description="It has been three weeks.")


@pytest.fixture
def back_office(make_agent):
    return make_agent("bo", roles.BACK_OFFICE)


@pytest.fixture
def admin_agent(make_agent):
    return make_agent("root", roles.ADMIN)


@pytest.fixture
def roleless(db):
    from caredesk.core.actions import create_agent

    return create_agent(username="nobody", password="correct-horse-battery", role_names=[], check_password=False)
