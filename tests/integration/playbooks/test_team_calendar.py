"""The playbooks count business days on the team's calendar, the one the SLA clocks use: a company holiday an
admin adds in the calendars' admin moves a running follow-up's next attempt past that day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

from caredesk.calendars.actions import calendars_changed
from caredesk.calendars.models import BusinessCalendar, WeeklyHours
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.playbooks.actions import complete_task
from caredesk.playbooks.models import FollowUpTask, PlaybookRun
from caredesk.playbooks.registry import in_force, on_calendar, playbook_of
from caredesk.playbooks.runner import sweep_all
from caredesk.tickets.actions import update_ticket
from tests.integration.helpers import add_calendar_exception


def local_date(instant, days) -> date:
    return instant.astimezone(days.zone).date()


def test_a_company_holiday_added_in_the_admin_moves_the_planned_day_3_attempt(
        frozen_clock, agent, admin_agent, client, make_ticket):
    # Monday 2 March 2026: day 1. On Tuesday, the day 3 attempt is planned for Wednesday 4 March.
    ticket = make_ticket(order=True, phones=["+1 415 555 0132"])
    update_ticket(ticket, actor=Actor.of_agent(agent), status="pending")
    run = PlaybookRun.objects.get(ticket=ticket)
    complete_task(FollowUpTask.objects.get(ticket=ticket, status="open"), agent=agent,
                  channels_tried=["email", "call", "text"], reached=False)
    clock.advance(timedelta(days=1))  # day 2 (no action needed) passes
    sweep_all()
    run.refresh_from_db()
    days = playbook_of(run.definition).days
    assert local_date(run.next_due_at, days) == date(2026, 3, 4)

    client.force_login(admin_agent)
    response = add_calendar_exception(client, BusinessCalendar.objects.get(is_default=True), "2026-03-04",
                                      "Company holiday")
    assert response.status_code == 302, response.content.decode()[:3000]
    days = playbook_of(run.definition).days  # the calendar change reaches the cached playbook
    assert not days.counts(date(2026, 3, 4)) and days.day_date(run.started_at, 3) == date(2026, 3, 5)

    # The run wakes at the time it had planned, on the holiday: no attempt, the day 3 attempt moves to Thursday.
    clock.set_virtual(run.next_due_at + timedelta(hours=10))
    sweep_all()
    assert not FollowUpTask.objects.filter(ticket=ticket, status="open").exists()
    run.refresh_from_db()
    assert local_date(run.next_due_at, days) == date(2026, 3, 5)
    assert run.state["day"] == 2  # the last step run: day 2

    clock.set_virtual(run.next_due_at + timedelta(hours=10))
    sweep_all()
    task = FollowUpTask.objects.get(ticket=ticket, status="open")
    assert task.day == 3 and local_date(task.due_at, days) == date(2026, 3, 5)
    run.refresh_from_db()  # the days after are counted on the same calendar: day 4 is Friday 6 March
    assert local_date(run.next_due_at, days) == date(2026, 3, 6)
    assert days.day_date(run.started_at, 5) == date(2026, 3, 9)


def test_without_an_exception_the_team_calendar_counts_the_days_of_the_playbook_files(frozen_clock, agent,
                                                                                      make_ticket):
    ticket = make_ticket()
    update_ticket(ticket, actor=Actor.of_agent(agent), status="pending")
    run = PlaybookRun.objects.get(ticket=ticket)
    bound = playbook_of(run.definition).days
    assert bound.hours.describe() == "Mon-Fri 09:00-17:00 in America/New_York, public holidays of US off"
    year = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(365)]
    for playbook in in_force():  # every shipped playbook: the same counted days as its file says
        assert playbook.days.hours != bound.hours
        assert [playbook.days.counts(day) for day in year] == [bound.counts(day) for day in year]


def test_a_playbook_counts_on_the_calendar_its_days_name_else_on_the_default(db):
    london = BusinessCalendar.objects.create(key="uk_office", name="UK office", timezone="Europe/London",
                                             holiday_country="GB")
    WeeklyHours.objects.bulk_create([WeeklyHours(calendar=london, weekday=day, opens=time(9), closes=time(17))
                                     for day in range(5)])
    calendars_changed()
    playbook = next(playbook for playbook in in_force() if playbook.days.counting == "business")
    named = on_calendar(replace(playbook, days=replace(playbook.days, calendar="uk_office")))
    assert (named.days.timezone, named.days.holiday_country) == ("Europe/London", "GB")
    boxing_day_moved = date(2026, 12, 28)  # a UK bank holiday (Boxing Day fell on a Saturday), a US working day
    assert not named.days.counts(boxing_day_moved) and on_calendar(playbook).days.counts(boxing_day_moved)
    unknown = on_calendar(replace(playbook, days=replace(playbook.days, calendar="nowhere")))
    assert unknown.days.timezone == "America/New_York" and unknown.days.hours == on_calendar(playbook).days.hours
