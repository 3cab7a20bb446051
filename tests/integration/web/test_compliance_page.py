"""Reports > Compliance: the compliance report per playbook, agent and day, for the roles that view reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.core import roles
from caredesk.core.audit import Actor
from caredesk.playbooks.actions import complete_task
from caredesk.playbooks.models import FollowUpTask
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import TicketType

URL = "/reports/compliance/"


@pytest.fixture
def supervisor(make_agent):
    return make_agent("sam", roles.TEAM_SUPERVISOR, first_name="Sam", last_name="Reyes")


@pytest.fixture
def follow_up(make_ticket, agent):
    """Start a general inquiry follow-up assigned to Maria; returns its day-1 attempt."""
    def start(subject="Where is my passport?"):
        ticket = make_ticket(subject=subject, ticket_type=TicketType.objects.get(key="general_inquiry"),
                             assignee=agent)
        update_ticket(ticket, actor=Actor.of_agent(agent), status="pending")
        return FollowUpTask.objects.get(ticket=ticket, status="open")

    return start


def rows_of(response):
    return [(row.playbook, row.agent, row.required, row.on_time, row.late, row.missed, row.open)
            for row in response.context["rows"]]


def test_a_supervisor_sees_attempts_per_playbook_agent_and_day(frozen_clock, client, supervisor, agent, follow_up):
    done = follow_up("Done on time")
    complete_task(done, agent=agent, channels_tried=["email"], reached=False)
    follow_up("Still open")
    client.force_login(supervisor)
    response = client.get(URL)
    assert response.status_code == 200
    assert rows_of(response) == [("general_inquiry_follow_up", "maria", 2, 1, 0, 0, 1)]
    html = response.content.decode()
    assert "General inquiry follow-up" in html and "Maria Lopez" in html and "Mon Mar 2" in html
    assert "100%" in html and "Total" in html
    assert "Tue Feb 24, 2026 – Mon Mar 2, 2026" in html  # the last seven days by default
    assert 'href="/reports/"' in html  # the Reports menu


def test_filters_and_the_htmx_fragment(frozen_clock, client, supervisor, agent, follow_up, make_agent):
    follow_up()
    client.force_login(supervisor)
    by_agent = client.get(URL, {"agent": "maria", "playbook": "general_inquiry_follow_up",
                                "timezone": "America/New_York"})
    assert len(by_agent.context["rows"]) == 1
    make_agent("devon", roles.AGENT)
    assert client.get(URL, {"agent": "devon"}).context["rows"] == []
    assert client.get(URL, {"playbook": "refund_request_follow_up"}).context["rows"] == []
    earlier = client.get(URL, {"since": "2026-02-01", "until": "2026-02-07"})
    assert earlier.context["rows"] == [] and "No follow-up attempts were due" in earlier.content.decode()
    fragment = client.get(URL, {"agent": "maria"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="compliance-results"') and "<html" not in fragment


def test_bad_filters_are_explained(frozen_clock, client, supervisor):
    client.force_login(supervisor)
    backwards = client.get(URL, {"since": "2026-03-05", "until": "2026-03-01"})
    assert backwards.status_code == 200 and "The From date must not be after the To date." in backwards.content.decode()
    assert "since must not" not in backwards.content.decode()
    too_long = client.get(URL, {"since": "2024-01-01", "until": "2026-03-01"}).content.decode()
    assert "A report covers at most 366 days." in too_long
    for bad in ({"timezone": "Mars/Olympus"}, {"since": "yesterday"}, {"agent": "nobody-here"},
                {"playbook": "<script>"}):
        response = client.get(URL, bad)
        assert response.status_code == 200 and response.context["form"].errors, bad
        assert response.context["rows"] == []


@pytest.mark.parametrize("role", [roles.RESOLUTION_LEAD, roles.TEAM_SUPERVISOR, roles.ADMIN])
def test_roles_that_view_reports(client, make_agent, role):
    client.force_login(make_agent("viewer", role))
    assert client.get(URL).status_code == 200
    assert f'href="{URL}"' in client.get("/reports/").content.decode()  # the Reports menu


@pytest.mark.parametrize("role", [roles.AGENT, roles.BACK_OFFICE, roles.RESOLUTION_SPECIALIST])
def test_other_roles_get_403_and_no_menu_link(client, make_agent, role):
    client.force_login(make_agent("worker", role))
    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/reports/").content.decode()  # their own figures only


def test_the_page_runs_a_fixed_number_of_queries(frozen_clock, client, supervisor, agent, follow_up, make_agent):
    follow_up("First")
    client.force_login(supervisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for index in range(6):
        task = follow_up(f"More {index}")
        if index % 2:
            complete_task(task, agent=agent, channels_tried=["call"], reached=index == 3)
        frozen_clock.advance(timedelta(hours=20))
        make_agent(f"agent{index}", roles.AGENT)
    assert queries() == few
