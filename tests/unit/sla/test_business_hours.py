"""Business hours (caredesk.calendars.hours): working time in a time zone, without holidays and closed dates."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from caredesk.calendars.hours import BusinessHours, format_intervals, parse_clock

NEW_YORK = ZoneInfo("America/New_York")
NINE_TO_FIVE = ((9 * 60, 17 * 60),)
OFFICE = BusinessHours(timezone="America/New_York", week=(NINE_TO_FIVE,) * 5 + ((), ()), holiday_country="US")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


def test_eight_hours_from_friday_afternoon_end_on_monday_afternoon():
    assert OFFICE.add(local(2025, 9, 12, 15), 8 * 3600) == local(2025, 9, 15, 15)


def test_a_target_due_at_closing_time_is_due_then_not_next_morning():
    assert OFFICE.add(local(2025, 9, 15, 9), 8 * 3600) == local(2025, 9, 15, 17)


def test_a_us_holiday_is_skipped_labor_day_2025():
    # Friday 29 August 16:00 + 2h: one hour on Friday, Labor Day Monday is closed, one hour on Tuesday
    assert OFFICE.add(local(2025, 8, 29, 16), 2 * 3600) == local(2025, 9, 2, 10)
    assert not OFFICE.is_business_day(date(2025, 9, 1))


def test_a_dated_exception_closes_a_day_or_changes_its_hours():
    closed = BusinessHours(timezone="America/New_York", week=OFFICE.week, exceptions=(
        (date(2025, 9, 15), ()), (date(2025, 9, 16), ((10 * 60, 12 * 60),))))
    assert not closed.is_business_day(date(2025, 9, 15))
    assert closed.add(local(2025, 9, 15, 9), 3 * 3600) == local(2025, 9, 17, 10)
    assert closed.seconds_between(local(2025, 9, 16, 0), local(2025, 9, 17, 0)) == 2 * 3600


def test_an_exception_can_open_a_holiday():
    opened = BusinessHours(timezone="America/New_York", week=OFFICE.week, holiday_country="US",
                           exceptions=((date(2025, 9, 1), NINE_TO_FIVE),))
    assert opened.is_business_day(date(2025, 9, 1))


def test_seconds_between_counts_only_open_time():
    assert OFFICE.seconds_between(local(2025, 9, 12, 16), local(2025, 9, 15, 10)) == 2 * 3600
    assert OFFICE.seconds_between(local(2025, 9, 15, 10), local(2025, 9, 15, 9)) == 0


def test_a_daylight_saving_day_has_its_real_length():
    always = BusinessHours(timezone="America/New_York", week=(((0, 1440),),) * 7)
    assert always.seconds_between(local(2025, 11, 2, 0), local(2025, 11, 3, 0)) == 25 * 3600


def test_bad_calendars_are_refused():
    with pytest.raises(ValueError):
        BusinessHours(week=((),) * 7)
    with pytest.raises(ValueError):
        BusinessHours(week=(((600, 500),),) + ((),) * 6)
    with pytest.raises(ValueError):
        BusinessHours(holiday_subdivision="NY")
    with pytest.raises(ValueError):
        OFFICE.add(datetime(2025, 9, 12, 15), 60)  # naive


def test_clock_texts():
    assert parse_clock("09:30") == 570 and parse_clock("24:00") == 1440
    assert format_intervals(NINE_TO_FIVE) == "09:00-17:00" and format_intervals(()) == "closed"
    with pytest.raises(ValueError):
        parse_clock("9h")


instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31),
                        timezones=st.just(timezone.utc))


@settings(max_examples=200, deadline=None)
@given(start=instants, seconds=st.integers(min_value=0, max_value=40 * 3600))
def test_add_and_seconds_between_agree(start, seconds):
    start = start.replace(microsecond=0)
    due = OFFICE.add(start, seconds)
    assert due >= start
    assert OFFICE.seconds_between(start, due) == seconds
    if seconds:
        assert OFFICE.is_open(due - timedelta(seconds=1))


@settings(max_examples=100, deadline=None)
@given(start=instants, first=st.integers(0, 20 * 3600), second=st.integers(0, 20 * 3600))
def test_adding_in_two_steps_is_adding_once(start, first, second):
    assume(second > 0)  # adding nothing moves a closing instant to the next opening
    start = start.replace(microsecond=0)
    assert OFFICE.add(OFFICE.add(start, first), second) == OFFICE.add(start, first + second)


def test_a_calendar_describes_itself():
    assert OFFICE.describe() == "Mon-Fri 09:00-17:00 in America/New_York, public holidays of US off"
    split = BusinessHours(week=(((540, 720), (780, 1020)),) + ((),) * 5 + (((600, 840),),))
    assert split.describe() == "Mon 09:00-12:00, 13:00-17:00; Sun 10:00-14:00 in UTC, no public holidays configured"
