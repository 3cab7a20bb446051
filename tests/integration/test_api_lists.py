"""Configuration lists, agents and canned responses (the health routes: test_health.py)."""

from __future__ import annotations

from caredesk.core import roles


def test_lists(api):
    body = api.get("/api/v1/lists").json()
    assert {"key": "refund_request", "name": "Refund request"} in body["ticket_types"]
    assert {"key": "unresponsive_customers", "name": "Unresponsive Customers"} in body["groups"]
    assert {"key": "us_passport", "name": "US Passport"} in body["industries"]
    assert {"key": "website_care", "name": "Website Care"} in body["customer_types"]
    assert {"key": "billing", "name": "Billing"} in body["categories"]


def test_retired_entries_are_not_listed(api):
    from caredesk.tickets.models import Group

    Group.objects.filter(key="back_office").update(active=False)  # configuration, done in the admin
    assert "back_office" not in [g["key"] for g in api.get("/api/v1/lists").json()["groups"]]


def test_agents(api, agent, make_agent):
    from caredesk.core.actions import create_agent

    create_agent(username="lead", role_names=[roles.RESOLUTION_LEAD, roles.AGENT], skills=["Spanish"])
    body = api.get("/api/v1/agents").json()
    by_name = {a["username"]: a for a in body}
    assert by_name["maria"]["name"] == "Maria Lopez" and by_name["maria"]["roles"] == ["Agent"]
    assert by_name["lead"]["roles"] == ["Agent", "Resolution Lead"] and by_name["lead"]["skills"] == ["Spanish"]
    assert by_name["lead"]["presence"] == "offline"


def test_agents_me(api, agent):
    body = api.get("/api/v1/agents/me").json()
    assert (body["id"], body["username"], body["roles"]) == (agent.pk, "maria", ["Agent"])


def test_canned_responses_ship_call_notes(api):
    body = api.get("/api/v1/canned-responses").json()
    call_notes = next(r for r in body if r["name"] == "Call Notes")
    assert call_notes["tabs"] == ["call", "note"]  # never offered in Public reply
    assert call_notes["fields"] == ["Caller Name", "Call Type", "Customer Type", "Reason for Call", "Actions Taken"]
    assert call_notes["body"].splitlines()[0] == "Caller Name:"
