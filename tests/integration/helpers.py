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


def add_calendar_exception(admin_client, calendar, day: str, description: str):
    """Add a dated exception (closed all day) to a calendar through its admin page, keeping its weekly hours;
    returns the response (a redirect when saved)."""
    rows = list(calendar.weekly_hours.all())
    data = {"key": calendar.key, "name": calendar.name, "timezone": calendar.timezone,
            "holiday_country": calendar.holiday_country, "holiday_subdivision": calendar.holiday_subdivision,
            "is_default": "on" if calendar.is_default else "",
            "weekly_hours-TOTAL_FORMS": str(len(rows)), "weekly_hours-INITIAL_FORMS": str(len(rows)),
            "weekly_hours-MIN_NUM_FORMS": "0", "weekly_hours-MAX_NUM_FORMS": "1000",
            "exceptions-TOTAL_FORMS": "1", "exceptions-INITIAL_FORMS": "0", "exceptions-MIN_NUM_FORMS": "0",
            "exceptions-MAX_NUM_FORMS": "1000", "exceptions-0-date": day, "exceptions-0-description": description,
            "exceptions-0-calendar": str(calendar.pk)}
    for index, row in enumerate(rows):
        data.update({f"weekly_hours-{index}-id": str(row.pk), f"weekly_hours-{index}-calendar": str(calendar.pk),
                     f"weekly_hours-{index}-weekday": str(row.weekday),
                     f"weekly_hours-{index}-opens": f"{row.opens:%H:%M}", f"weekly_hours-{index}-closes": f"{row.closes:%H:%M}"})
    return admin_client.post(f"/admin/calendars/businesscalendar/{calendar.pk}/change/", data)
