"""The reports on the database: facts recomputed from the tickets' events by the sweep (and again when an old
ticket changes), each report's figures for a range in a time zone with the filters, agents limited to their own
figures, the API and the CSV exports giving the same figures."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from caredesk.analytics import actions, reports
from caredesk.analytics.models import TicketFacts
from caredesk.core import clock, roles
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets.models import Category, Status
from tests.integration.helpers import record_resolution


@pytest.fixture
def worked(frozen_clock, actor, customer, agent):
    """Monday 2 March 2026, 14:00 UTC: three tickets; one answered and solved in two hours (one touch), one
    solved then reopened, one left open."""
    quick = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Quick", assignee=agent,
                                         category=Category.objects.first(), tags=["passport"])
    reopened = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Reopened", assignee=agent)
    ticket_actions.create_ticket(actor=actor, requester=customer, subject="Waiting", tags=["passport", "photo"])
    clock.advance(timedelta(hours=2))
    ticket_actions.add_interaction(quick, actor=actor, channel="email", direction="outbound", kind="message",
                                   body="Done.")
    record_resolution(quick, actor)
    ticket_actions.update_ticket(quick, actor=actor, status=Status.SOLVED)
    record_resolution(reopened, actor)
    ticket_actions.update_ticket(reopened, actor=actor, status=Status.SOLVED)
    clock.advance(timedelta(days=1))
    ticket_actions.update_ticket(reopened, actor=actor, status=Status.OPEN)
    assert actions.refresh_due() == 3
    return {"quick": quick, "reopened": reopened}


def chosen(**given):
    return reports.filters(since=date(2026, 3, 1), until=date(2026, 3, 7), **given)


def test_facts_come_from_the_events_and_follow_later_changes(worked, actor):
    quick = TicketFacts.objects.get(ticket=worked["quick"])
    assert (quick.first_response_seconds, quick.resolution_seconds, quick.one_touch) == (7200, 7200, True)
    assert quick.first_response_business_seconds == 7200  # Monday 9:00-11:00 New York: inside office hours
    reopened = TicketFacts.objects.get(ticket=worked["reopened"])
    assert reopened.reopen_count == 1 and reopened.one_touch is False
    clock.advance(timedelta(days=40))  # an old ticket changes: its facts follow
    ticket_actions.update_ticket(worked["quick"], actor=actor, status=Status.OPEN)
    assert TicketFacts.objects.get(ticket=worked["quick"]).next_due_at is not None
    assert actions.refresh_due() == 1 and actions.refresh_due() == 0
    assert TicketFacts.objects.get(ticket=worked["quick"]).reopen_count == 1


def test_volume_backlog_one_touch_and_times(worked):
    volume = reports.volume(chosen())
    monday = [row for row in volume.rows if row[0] == "2026-03-02"][0]
    tuesday = [row for row in volume.rows if row[0] == "2026-03-03"][0]
    assert monday == ["2026-03-02", 3, 2, 0] and tuesday[3] == 1
    assert reports.backlog(reports.filters(since=date(2026, 3, 2), until=date(2026, 3, 2))).rows[0] == [
        "under 1 day", 1]
    weeks = {row[0]: row[1:] for row in reports.one_touch(chosen()).rows}
    assert list(weeks) == ["2026-02-23", "2026-03-02"] and weeks["2026-03-02"] == [2, 1, 50.0]
    times = {row[0]: row[1:] for row in reports.response_times(chosen()).rows}
    assert times["first response (calendar)"] == [2.0, 2.0, 1]
    assert times["resolution (calendar)"] == [2.0, 2.0, 2]


def test_days_follow_the_team_time_zone(worked):
    # 14:00 UTC on Monday is 23:00 in Tokyo on Monday; 16:00 UTC (the solves) is 01:00 on Tuesday there
    tokyo = {row[0]: row[1:] for row in reports.volume(chosen(timezone="Asia/Tokyo")).rows}
    assert tokyo["2026-03-02"][:2] == [3, 0] and tokyo["2026-03-03"][1] == 2


def test_without_a_time_zone_days_are_the_teams(frozen_clock, actor, customer):
    # the team's default business-hours calendar is New York's: 03:00 UTC on Tuesday is Monday evening there
    clock.advance(timedelta(hours=13))
    ticket_actions.create_ticket(actor=actor, requester=customer, subject="Late call")
    actions.refresh_due()
    team = reports.filters(since=date(2026, 3, 2), until=date(2026, 3, 3))
    assert team.timezone == "America/New_York"
    assert [row[:2] for row in reports.volume(team).rows] == [["2026-03-02", 1], ["2026-03-03", 0]]
    utc = reports.filters(since=date(2026, 3, 2), until=date(2026, 3, 3), timezone="UTC")
    assert [row[:2] for row in reports.volume(utc).rows] == [["2026-03-02", 0], ["2026-03-03", 1]]


def test_satisfaction_figures_follow_the_filters(frozen_clock, actor, customer):
    from caredesk.customers.actions import create_customer
    from caredesk.surveys import actions as survey_actions
    from caredesk.surveys.models import BadRatingReason, NpsSurvey, Survey
    from caredesk.tickets.models import Group

    first, second = Group.objects.filter(active=True).order_by("pk")[:2]
    lee = create_customer(actor=actor, name="Lee Park", emails=["lee@example.com"])
    for requester, group in ((customer, first), (lee, second)):
        ticket = ticket_actions.create_ticket(actor=actor, requester=requester, subject="Photo", group=group,
                                              channel="email")
        record_resolution(ticket, actor)
        ticket_actions.update_ticket(ticket, actor=actor, status=Status.SOLVED)
    clock.advance(timedelta(hours=24))
    assert survey_actions.send_due() == 2
    for answer, score in zip(NpsSurvey.objects.order_by("pk"), (3, 10)):
        survey_actions.record_nps(answer, score=score)
    assert [row[:2] for row in reports.nps_detractors(chosen()).rows] == [["2026-03-03", "Dana Whitfield"]]
    assert reports.nps_detractors(chosen(group=second.pk)).rows == []
    assert reports.nps(chosen(group=second.pk)).rows[-1] == ["NPS", 100.0]
    assert reports.nps(chosen(channel="phone")).rows[-1] == ["NPS", None]
    by_group = {row[0]: row[1:] for row in reports.nps_by_group(chosen()).rows}
    assert by_group == {first.name: [0, 0, 1, -100.0], second.name: [1, 0, 0, 100.0], "all": [1, 0, 1, 0.0]}
    assert reports.nps_by_agent(chosen()).rows == [["(unassigned)", 1, 0, 1, 0.0], ["all", 1, 0, 1, 0.0]]
    bad = Survey.objects.get(ticket__requester=customer)
    survey_actions.record_rating(bad, rating="bad", reason=BadRatingReason.objects.first().pk, comment="Slow")
    assert len(reports.rating_reviews(chosen(channel="email")).rows) == 1
    assert reports.rating_reviews(chosen(channel="phone")).rows == []
    assert reports.rating_reviews(chosen(group=second.pk)).rows == []


def test_filters_and_recurring_issues(worked, agent):
    assert [row[1] for row in reports.volume(chosen(agent=agent.pk)).rows if row[0] == "2026-03-02"] == [2]
    tags = reports.tags(chosen())
    assert [row[:2] for row in tags.rows] == [["passport", 2], ["photo", 1]]
    assert reports.customers(chosen()).rows[2] == ["3-5 tickets", 1]
    with pytest.raises(Exception) as refused:
        reports.filters(timezone="Mars/Olympus")
    assert refused.value.field == "timezone"


def test_the_api_and_csv_give_the_same_figures_and_agents_get_their_own(worked, api, api_client_for, make_agent):
    query = "since=2026-03-01&until=2026-03-07"
    supervisor = api_client_for(make_agent("tess", roles.TEAM_SUPERVISOR))
    figure = supervisor.get(f"/api/v1/reports/volume?{query}").json()
    assert figure["rows"] == reports.volume(chosen()).rows and figure["chart"] == "line"
    exported = supervisor.get(f"/api/v1/reports/volume.csv?{query}")
    assert exported["Content-Type"].startswith("text/csv") and exported.streaming
    lines = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert lines[0] == ["day", "created", "solved", "reopened"] and lines[2] == ["2026-03-02", "3", "2", "0"]
    tickets = supervisor.get(f"/api/v1/reports/tickets.csv?{query}")
    assert len(list(csv.reader(io.StringIO(b"".join(tickets.streaming_content).decode())))) == 4
    own = api.get(f"/api/v1/reports/volume?{query}").json()  # Maria, an Agent: only her tickets
    assert [row[1] for row in own["rows"] if row[0] == "2026-03-02"] == [2]
    assert api.get("/api/v1/reports/nonsense").status_code == 422
    assert api.get(f"/api/v1/reports/volume?timezone=Nowhere").status_code == 422


def test_recurring_issues_by_root_cause_and_resolution_code(worked, actor, customer, make_agent, api_client_for):
    """SOP 004: the documented resolution "helps track trends or recurring issues": root causes and resolution
    codes counted by the week they were recorded, filtered by their ticket's facts like the other reports."""
    from caredesk.resolutions.actions import NewResolution, solve

    lee = make_agent("lee")
    billing = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Charged twice", assignee=lee)
    solve(billing, actor=actor, resolution=NewResolution(root_cause="billing_error", resolution_code="refund_issued",
                                                         summary="Refunded the second charge.", confirmation="later"))
    actions.refresh_due()
    causes = reports.root_causes(chosen())
    assert causes.columns == ["root_cause", "resolutions", "change_last_week", "2026-02-23", "2026-03-02"]
    assert causes.rows == [["Other", 2, 2, 0, 2], ["Billing error", 1, 1, 0, 1]]  # a reopened ticket's stays
    assert reports.resolution_codes(chosen()).rows == [["(none)", 2, 2, 0, 2], ["Refund issued", 1, 1, 0, 1]]
    assert reports.root_causes(chosen(agent=lee.pk)).rows == [["Billing error", 1, 1, 0, 1]]
    assert reports.root_causes(reports.filters(since=date(2026, 3, 9), until=date(2026, 3, 15))).rows == []
    supervisor = api_client_for(make_agent("tess", roles.TEAM_SUPERVISOR))
    figure = supervisor.get("/api/v1/reports/root_causes?since=2026-03-01&until=2026-03-07").json()
    assert figure["rows"] == causes.rows and "root_causes" in supervisor.get("/api/v1/reports").json()
