"""The calendars' writes outside the admin: the version token, and a dated exception the simulator adds. The
team edits the calendars themselves in the admin (caredesk.calendars.admin), which calls `calendars_changed` in
the same transaction."""

from __future__ import annotations

import uuid
from datetime import date

from caredesk.calendars.models import BusinessCalendar, CalendarException, CalendarsVersion
from caredesk.calendars.signals import calendar_saved


def calendars_changed() -> None:
    """A calendar changed: every process's snapshot of the calendars is out of date (a new token, written in
    the change's transaction)."""
    CalendarsVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def add_closed_day(calendar: BusinessCalendar, day: date, description: str) -> CalendarException:
    """Close the calendar all day on a date (a company holiday), as an admin's dated exception would."""
    exception = CalendarException.objects.create(calendar=calendar, date=day, description=description)
    calendars_changed()
    calendar_saved.send(sender=BusinessCalendar, calendar=calendar)
    return exception
