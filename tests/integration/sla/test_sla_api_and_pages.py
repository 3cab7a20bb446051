"""The SLA API (clocks, how the priority was reached, assessment, override with reason, report) and pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from caredesk.core import clock, roles
from caredesk.sla import actions
from caredesk.sla.models import Impact, Urgency
from caredesk.tickets import use_cases
from caredesk.tickets.actions import create_ticket
from tests.integration.helpers import assert_problem, post_json

MONDAY_9 = datetime(2025, 9, 15, 9, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def monday(db):
    with clock.frozen_at(MONDAY_9):
        yield


@pytest.fixture
def opened(monday, customer, actor):
    return create_ticket(actor=actor, requester=customer, subject="Help")


def test_the_api_shows_the_clocks_and_how_the_priority_was_reached(api, opened):
    clock.advance(timedelta(hours=2))
    body = api.get(f"/api/v1/tickets/{opened.pk}/sla").json()
    assert body["policy"] == "Standard"
    first = next(row for row in body["clocks"] if row["metric"] == "first_reply")
    assert (first["state"], first["business_seconds_left"]) == ("running", 6 * 3600)
    resolution = next(row for row in body["clocks"] if row["metric"] == "resolution")
    assert resolution["pausing_statuses"] == ["on_hold", "pending"]
    assert body["priority"]["how_it_was_reached"].startswith("medium")


def test_assessing_through_the_api_gives_the_matrix_priority(api, opened):
    response = post_json(api, f"/api/v1/tickets/{opened.pk}/priority/assessment", {
        "impact": Impact.objects.get(key="one_person").pk, "urgency": Urgency.objects.get(key="can_wait").pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["priority"]["priority"] == "low"
    assert body["priority"]["how_it_was_reached"] == "low from impact One person and urgency Can wait"


def test_an_override_without_a_reason_is_a_problem_naming_the_field(api, opened):
    response = post_json(api, f"/api/v1/tickets/{opened.pk}/priority/override", {"priority": "urgent", "reason": ""})
    assert_problem(response, 422, "reason")
    response = post_json(api, f"/api/v1/tickets/{opened.pk}/priority/override",
                         {"priority": "urgent", "reason": "Their launch is today"})
    assert response.json()["priority"]["overridden"] is True
    assert response.json()["policy"] == "Urgent tickets"


def test_the_report_counts_achieved_and_breached_targets_and_exports_csv(opened, actor, make_agent, api_client_for):
    api = api_client_for(make_agent("sam", roles.TEAM_SUPERVISOR))
    clock.advance(timedelta(minutes=30))
    use_cases.reply(opened, actor=actor, body="On it")
    clock.set_virtual(MONDAY_9 + timedelta(days=1, hours=1))
    actions.sweep_due()
    response = api.get("/api/v1/sla/report", {"since": "2025-09-15", "until": "2025-09-16"})
    assert response.status_code == 200, response.content
    rows = response.json()
    first = next(row for row in rows if row["metric"] == "first reply")
    assert (first["achieved"], first["breached"], first["median_minutes"]) == (1, 0, 30.0)
    update = next(row for row in rows if row["metric"] == "periodic update")
    assert (update["achieved"], update["breached"]) == (1, 1)
    assert_problem(api.get("/api/v1/sla/report", {"since": "2025-09-16", "until": "2025-09-15"}), 422, "until")


def test_the_report_page_exports_csv(opened, actor, client, make_agent):
    clock.advance(timedelta(minutes=30))
    use_cases.reply(opened, actor=actor, body="On it")
    client.force_login(make_agent("sam", roles.TEAM_SUPERVISOR))
    page = client.get("/reports/sla/", {"since": "2025-09-15", "until": "2025-09-15"}).content.decode()
    assert "<td>Standard</td><td>first reply</td>" in page
    csv = client.get("/reports/sla/", {"since": "2025-09-15", "until": "2025-09-15", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "policy,metric,group,agent,achieved,breached,achieved_percent,median_minutes,p90_minutes"
    assert "Standard,first reply,—,—,1,0,100.0,30.0,30.0" in lines  # no group, no assignee
    bad = client.get("/reports/sla/", {"since": "2025-09-16", "until": "2025-09-15"}).content.decode()
    assert "The end comes after the start." in bad


def test_views_sort_by_next_breach_and_my_work_lists_what_breaches_soon(opened, customer, actor, client, agent):
    from caredesk.tickets.actions import update_ticket

    later = create_ticket(actor=actor, requester=customer, subject="Later")
    update_ticket(later, actor=actor, assignee=agent)
    clock.advance(timedelta(hours=5))
    soon = create_ticket(actor=actor, requester=customer, subject="Sooner", assignee=agent)
    client.force_login(agent)
    page = client.get("/views/", {"sort": "breach", "dir": "asc", "breach": "running"}).content.decode()
    assert page.index(f"/tickets/{opened.pk}/") < page.index(f"/tickets/{later.pk}/") < page.index(
        f"/tickets/{soon.pk}/")
    home = client.get("/").content.decode()
    assert "SLA breaching soon" in home and f"#{later.pk} Later" in home and f"#{soon.pk} Sooner" not in home
    panel = client.get(f"/tickets/{later.pk}/sla/").content.decode()
    assert "First reply" in panel and "3h 00m of business time left" in panel


def test_the_override_form_shows_a_missing_reason_beside_the_field(opened, client, agent):
    client.force_login(agent)
    response = client.post(f"/tickets/{opened.pk}/sla/priority/override/",
                           {"override-priority": "4", "override-reason": ""}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "Say why you override the priority." in page and 'id="id_override-reason_error"' in page


def test_a_premium_contract_set_through_the_api_raises_new_tickets_one_level(monday, api, customer, actor):
    response = api.put(f"/api/v1/customers/{customer.pk}/contract-tier", data={"tier": "premium"},
                       content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["tier"]["key"] == "premium"
    ticket = create_ticket(actor=actor, requester=customer, subject="Premium help")
    body = api.get(f"/api/v1/tickets/{ticket.pk}/sla").json()
    assert body["priority"]["priority"] == "high" and body["policy"] == "High priority tickets"
    assert body["priority"]["how_it_was_reached"].endswith("raised one level to high for the Premium contract")
    bad = api.put(f"/api/v1/customers/{customer.pk}/contract-tier", data={"tier": "gold"},
                  content_type="application/json")
    assert_problem(bad, 422, "tier")
    assert api.put("/api/v1/customers/999999/contract-tier", data={"tier": None},
                   content_type="application/json").status_code == 404


def test_an_update_promised_to_an_escalated_customer_runs_while_pending(api, opened, actor, agent, client):
    """SOP 002: once the customer agrees to wait for an update, pending no longer pauses the periodic update;
    the API and the ticket page say why."""
    from caredesk.escalations.actions import record_choice, record_request
    from caredesk.tickets.actions import update_ticket

    use_cases.reply(opened, actor=actor, body="We are looking into it.")
    update_ticket(opened, actor=actor, status="pending")

    def periodic_update() -> dict:
        clocks = api.get(f"/api/v1/tickets/{opened.pk}/sla").json()["clocks"]
        return next(row for row in clocks if row["metric"] == "periodic_update" and row["cycle"] == 2)

    assert (periodic_update()["state"], periodic_update()["promised"]) == ("paused", False)
    clock.advance(timedelta(hours=1))
    record_choice(record_request(opened, agent=agent, reason="Leadership now"), agent=agent, waits=True)
    held = periodic_update()
    assert (held["state"], held["promised"], held["pausing_statuses"]) == ("running", True, [])
    assert held["business_seconds_left"] == 8 * 3600  # paused with its whole day left, it resumes with it
    client.force_login(agent)
    assert "Not paused until the update promised to the customer" in client.get(
        f"/tickets/{opened.pk}/sla/").content.decode()
    use_cases.reply(opened, actor=actor, body="Here is your update.")
    assert (periodic_update()["state"], periodic_update()["breached_at"]) == ("fulfilled", None)
