"""The business hours the reports count business time with: the team's default business-hours calendar
(caredesk.calendars, from the sla branch), else Monday to Friday around the clock in UTC."""

from __future__ import annotations

from caredesk.calendars.hours import BusinessHours
from caredesk.calendars.queries import business_hours, default_calendar


def hours() -> BusinessHours:
    calendar = default_calendar()
    return business_hours(calendar) if calendar is not None else BusinessHours()


def timezone() -> str:
    """The team's time zone: its default business-hours calendar's, else UTC."""
    calendar = default_calendar()
    return calendar.timezone if calendar is not None else "UTC"


def describe() -> str:
    calendar = default_calendar()
    return f"{calendar.name}: {hours().describe()}" if calendar is not None else hours().describe()
