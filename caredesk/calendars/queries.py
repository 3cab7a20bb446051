"""Business-hours calendars as the pure `BusinessHours` the clocks and playbooks count with."""

from __future__ import annotations

from collections import defaultdict

from caredesk.calendars.hours import BusinessHours
from caredesk.calendars.models import BusinessCalendar


def business_hours(calendar: BusinessCalendar) -> BusinessHours:
    """The calendar's hours, with its exceptions (read in two queries)."""
    week: list[list] = [[] for _ in range(7)]
    for row in calendar.weekly_hours.all():
        week[row.weekday].append(row.interval())
    exceptions: dict = defaultdict(list)
    for row in calendar.exceptions.all():
        intervals, interval = exceptions[row.date], row.interval()
        if interval is not None:
            intervals.append(interval)
    return BusinessHours(
        timezone=calendar.timezone, week=tuple(tuple(sorted(day)) for day in week),
        holiday_country=calendar.holiday_country or None, holiday_subdivision=calendar.holiday_subdivision or None,
        exceptions=tuple((day, tuple(sorted(intervals))) for day, intervals in sorted(exceptions.items())))


def default_calendar() -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(is_default=True).first()


def calendar_named(key: str) -> BusinessCalendar | None:
    return BusinessCalendar.objects.filter(key=key).first()
