"""Shared fixtures: agents in each role, API clients with real tokens, and a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from caredesk.core import clock, roles


@pytest.fixture
def make_agent(db):
    from caredesk.core.actions import create_agent

    def make(username: str = "agent", role: str = roles.AGENT, **fields):
        return create_agent(username=username, password="correct-horse-battery", role_names=[role],
                            check_password=False, **fields)

    return make


@pytest.fixture
def agent(make_agent):
    return make_agent("maria", roles.AGENT, first_name="Maria", last_name="Lopez")


@pytest.fixture
def api_client_for(db):
    """An HTTP client that sends a real API token of the given agent."""
    from django.test import Client

    from caredesk.core.actions import create_api_token

    def client_for(agent):
        _, token = create_api_token(agent, "tests")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return client_for


@pytest.fixture
def api(agent, api_client_for):
    return api_client_for(agent)


@pytest.fixture
def frozen_clock():
    """The one clock held at a fixed Monday morning; move it with clock.advance()."""
    with clock.frozen_at(datetime(2026, 3, 2, 14, 0, tzinfo=UTC)):
        yield clock


@pytest.fixture
def customer(db, agent):
    from caredesk.core.audit import Actor
    from caredesk.customers.actions import create_customer

    return create_customer(actor=Actor.of_agent(agent), name="Dana Whitfield",
                           emails=["dana@example.com"], phones=["+1 415 555 0132"])
