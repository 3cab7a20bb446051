"""Day counting: calendar days, business days over weekends and US holidays, time zones."""

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from caredesk.calendars.hours import BusinessHours
from caredesk.playbooks.calendar import DayCalendar

BUSINESS = DayCalendar("business", "America/New_York", "US")
CALENDAR = DayCalendar("calendar", "America/New_York")


def dates(calendar, started_at, count):
    return [calendar.day_date(started_at, number) for number in range(1, count + 1)]


def test_business_days_skip_the_weekend(ny):
    friday = ny(2025, 6, 6, 9)
    assert dates(BUSINESS, friday, 3) == [date(2025, 6, 6), date(2025, 6, 9), date(2025, 6, 10)]


def test_business_days_skip_a_us_holiday(ny):
    wednesday = ny(2025, 7, 2, 9)  # Friday 4 July is Independence Day
    assert dates(BUSINESS, wednesday, 4) == [date(2025, 7, 2), date(2025, 7, 3), date(2025, 7, 7), date(2025, 7, 8)]


def test_thanksgiving_is_skipped(ny):
    assert BUSINESS.day_date(ny(2025, 11, 26, 9), 2) == date(2025, 11, 28)


def test_a_run_started_on_a_weekend_has_that_day_as_day_one(ny):
    saturday = ny(2025, 6, 7, 11)
    assert dates(BUSINESS, saturday, 2) == [date(2025, 6, 7), date(2025, 6, 9)]


def test_a_run_started_on_a_holiday_has_that_day_as_day_one(ny):
    assert dates(BUSINESS, ny(2025, 7, 4, 11), 2) == [date(2025, 7, 4), date(2025, 7, 7)]


def test_calendar_days_count_every_day(ny):
    friday = ny(2025, 7, 4, 9)
    assert dates(CALENDAR, friday, 3) == [date(2025, 7, 4), date(2025, 7, 5), date(2025, 7, 6)]


def test_without_a_holiday_country_only_weekends_are_skipped(ny):
    plain = DayCalendar("business", "America/New_York")
    assert plain.day_date(ny(2025, 7, 3, 9), 2) == date(2025, 7, 4)


def test_holiday_subdivision(ny):
    massachusetts = DayCalendar("business", "America/New_York", "US", "MA")
    friday_before_patriots_day = ny(2025, 4, 18, 9)  # Patriots' Day, Monday 21 April, in Massachusetts only
    assert massachusetts.day_date(friday_before_patriots_day, 2) == date(2025, 4, 22)
    assert BUSINESS.day_date(friday_before_patriots_day, 2) == date(2025, 4, 21)


def test_day_start_and_end_are_local_midnights_in_utc(ny):
    started = ny(2025, 6, 6, 16)
    assert BUSINESS.day_start(started, 2) == datetime(2025, 6, 9, 4, tzinfo=timezone.utc)
    assert BUSINESS.day_end(started, 2) == datetime(2025, 6, 10, 4, tzinfo=timezone.utc)
    assert BUSINESS.day_start(started, 2).tzinfo is timezone.utc


def test_daylight_saving_change_inside_a_run(ny):
    friday = ny(2025, 3, 7, 9)  # clocks go forward on Sunday 9 March
    assert BUSINESS.day_start(friday, 1) == datetime(2025, 3, 7, 5, tzinfo=timezone.utc)
    assert BUSINESS.day_start(friday, 2) == datetime(2025, 3, 10, 4, tzinfo=timezone.utc)


def test_day_number_of_an_instant(ny):
    friday = ny(2025, 6, 6, 16)
    assert BUSINESS.day_number(friday, ny(2025, 6, 6, 23, 59)) == 1
    assert BUSINESS.day_number(friday, ny(2025, 6, 7, 12)) == 1  # Saturday still belongs to day 1
    assert BUSINESS.day_number(friday, ny(2025, 6, 9, 0)) == 2
    assert CALENDAR.day_number(friday, ny(2025, 6, 9, 0)) == 4


def test_day_number_uses_the_local_date_not_utc(ny):
    late_evening = ny(2025, 6, 2, 22)  # already 3 June in UTC
    assert BUSINESS.day_number(late_evening, ny(2025, 6, 2, 23)) == 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="timezone-aware"):
        BUSINESS.day_number(datetime(2025, 6, 2), datetime(2025, 6, 3))
    with pytest.raises(ValueError, match="start at 1"):
        BUSINESS.day_date(datetime(2025, 6, 2, tzinfo=timezone.utc), 0)
    with pytest.raises(ValueError, match="before the run started"):
        BUSINESS.day_number(datetime(2025, 6, 2, 16, tzinfo=timezone.utc), datetime(2025, 6, 1, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="counting"):
        DayCalendar("weekly", "UTC")


def test_engine_business_days_over_a_holiday(playbooks, drive, ny):
    from caredesk.playbooks.engine import TicketFacts

    run = drive(playbooks["general_inquiry_follow_up"], TicketFacts("general_inquiry", customer_emails=("a@b.c",)), ny(2025, 7, 2, 9))
    run.tick(ny(2025, 7, 20))
    assert [(task.day, task.due_at) for task in run.tasks()] == [
        (1, ny(2025, 7, 2, 9)),
        (3, ny(2025, 7, 7, 0)),  # Thursday 3 July is day 2; the 4th and the weekend are skipped
        (5, ny(2025, 7, 9, 0)),
    ]
    assert run.state.ended_at == ny(2025, 7, 10, 0)


def test_engine_on_calendar_days(playbooks, drive, ny):
    from caredesk.playbooks.engine import TicketFacts

    playbook = replace(playbooks["general_inquiry_follow_up"], days=CALENDAR)
    run = drive(playbook, TicketFacts("general_inquiry", customer_emails=("a@b.c",)), ny(2025, 7, 2, 9))
    run.tick(ny(2025, 7, 20))
    assert [task.due_at for task in run.tasks()] == [ny(2025, 7, 2, 9), ny(2025, 7, 4, 0), ny(2025, 7, 6, 0)]
    assert run.state.ended_at == ny(2025, 7, 7, 0)


# --- the team's calendar (caredesk.calendars): weekly hours and an admin's dated exceptions ---------------

OFFICE = ((540, 1020),)  # 09:00-17:00
TEAM = BusinessHours("America/New_York", (OFFICE,) * 5 + ((), ()), "US")


def test_on_a_team_calendar_a_company_holiday_is_not_counted_and_an_extra_working_day_is(ny):
    monday = ny(2025, 6, 2, 9)
    assert dates(BUSINESS.on(TEAM), monday, 4) == dates(BUSINESS, monday, 4)  # no exception: the same days
    closed_wednesday = replace(TEAM, exceptions=((date(2025, 6, 4), ()),))
    assert dates(BUSINESS.on(closed_wednesday), monday, 4) == [
        date(2025, 6, 2), date(2025, 6, 3), date(2025, 6, 5), date(2025, 6, 6)]
    open_saturday = replace(TEAM, exceptions=((date(2025, 6, 7), ((540, 720),)),))
    assert dates(BUSINESS.on(open_saturday), ny(2025, 6, 6, 9), 3) == [
        date(2025, 6, 6), date(2025, 6, 7), date(2025, 6, 9)]
    opened_holiday = replace(TEAM, exceptions=((date(2025, 7, 4), OFFICE),))  # Independence Day worked
    assert BUSINESS.on(opened_holiday).day_date(ny(2025, 7, 3, 9), 2) == date(2025, 7, 4)


def test_a_team_calendar_brings_its_own_time_zone_and_calendar_days_stay_calendar_days(ny):
    london = BusinessHours("Europe/London", (OFFICE,) * 5 + ((), ()), "GB")
    on_london = BUSINESS.on(london)
    assert (on_london.timezone, on_london.holiday_country, on_london.hours) == ("Europe/London", "GB", london)
    assert BUSINESS.on(None) is BUSINESS
    assert CALENDAR.on(london) is CALENDAR


def test_engine_plans_the_next_step_again_on_the_calendar_it_is_given(playbooks, drive, ny):
    from caredesk.playbooks.engine import TicketFacts

    playbook = playbooks["general_inquiry_follow_up"]
    run = drive(playbook, TicketFacts("general_inquiry", customer_emails=("a@b.c",)), ny(2025, 6, 2, 9))
    run.tick(ny(2025, 6, 3, 9))
    assert run.state.next_due_at == ny(2025, 6, 4, 0)  # day 3, planned before the company holiday was added
    run.playbook = replace(playbook, days=playbook.days.on(replace(TEAM, exceptions=((date(2025, 6, 4), ()),))))
    run.tick(ny(2025, 6, 4, 9))
    assert [task.day for task in run.tasks()] == [1] and run.state.next_due_at == ny(2025, 6, 5, 0)
    run.tick(ny(2025, 6, 5, 9))
    assert [(task.day, task.due_at) for task in run.tasks()] == [(1, ny(2025, 6, 2, 9)), (3, ny(2025, 6, 5, 0))]
