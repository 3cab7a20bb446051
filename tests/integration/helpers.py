"""Helpers shared by the integration tests: row counts, problem+json checks, and small builders."""

from __future__ import annotations

import contextlib
import json

from caredesk.core.models import Agent, ApiToken
from caredesk.customers.models import ContactPoint, Customer, CustomerEvent, Order
from caredesk.tickets.models import Attachment, Interaction, Tag, Ticket, TicketEvent

COUNTED = (Agent, ApiToken, Customer, ContactPoint, Order, CustomerEvent, Ticket, Interaction, Attachment,
           TicketEvent, Tag)


def snapshot() -> dict[str, int]:
    """How many rows each domain table holds."""
    return {model.__name__: model.objects.count() for model in COUNTED}


@contextlib.contextmanager
def nothing_written():
    """Asserts that the block leaves every domain table with the rows it had."""
    before = snapshot()
    yield
    assert snapshot() == before


def assert_problem(response, status: int, field: str | None = None) -> dict:
    """The response is RFC 9457 problem+json with `status`, naming `field` when given."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"].startswith("urn:caredesk:problem:")
    if field is not None:
        assert body.get("field") == field, body
    return body


def post_json(client, path: str, payload, **extra):
    data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(path, data=data, content_type="application/json", **extra)


def patch_json(client, path: str, payload, **extra):
    data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.patch(path, data=data, content_type="application/json", **extra)


def events_of(ticket, **filters) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, **filters).order_by("id"))


def customer_events_of(customer, **filters) -> list[CustomerEvent]:
    return list(CustomerEvent.objects.filter(customer=customer, **filters).order_by("id"))


def record_resolution(ticket, actor, **fields):
    """The agent documents the resolution (SOP 004) the shipped rule requires before solving (root cause and
    summary), without solving: the test solves the ticket its own way."""
    from caredesk.resolutions.actions import NewResolution, solve

    return solve(ticket, actor=actor, solve=False,
                 resolution=NewResolution(**{"root_cause": "other", "summary": "Solved in a test.", **fields}))
