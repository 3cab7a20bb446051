"""The only writers of the business-hours calendars, each change with its CalendarEvent (who, when, the calendar
before and after: time zone, holidays, weekly hours, dated exceptions). The admin (caredesk.calendars.admin) and
the simulator call them. Every change makes a new version token in its transaction, so each process reads the
calendars again, and sends `calendar_saved` for the SLA clocks that count with it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, time

from django.db import transaction

from caredesk.calendars.models import BusinessCalendar, CalendarEvent, CalendarException, CalendarsVersion, WeeklyHours
from caredesk.calendars.signals import calendar_saved
from caredesk.core import audit
from caredesk.core.audit import Actor

Hours = tuple[int, time, time]  # weekday (0 Monday), opens, closes
Exception_ = tuple[date, time | None, time | None, str]  # date, opens and closes (none: closed all day), description


def calendars_changed() -> None:
    """A calendar changed: every process's snapshot of the calendars is out of date (a new token, written in
    the change's transaction)."""
    CalendarsVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def _time(value: time | None) -> str:
    return f"{value:%H:%M}" if value is not None else ""


def snapshot(calendar: BusinessCalendar) -> dict:
    """The calendar as its audit events record it."""
    return {"name": calendar.name, "key": calendar.key, "timezone": calendar.timezone,
            "holiday_country": calendar.holiday_country, "holiday_subdivision": calendar.holiday_subdivision,
            "is_default": calendar.is_default,
            "weekly_hours": [f"{row.get_weekday_display()} {_time(row.opens)}-{_time(row.closes)}"
                             for row in calendar.weekly_hours.order_by("weekday", "opens")],
            "exceptions": [f"{row.date.isoformat()} " + (f"{_time(row.opens)}-{_time(row.closes)}" if row.opens
                                                         else "closed") + f": {row.description}"
                           for row in calendar.exceptions.order_by("date", "opens")]}


def _record(actor: Actor, calendar: BusinessCalendar, before: dict | None, after: dict | None) -> None:
    kind = "calendar.created" if before is None else "calendar.deleted" if after is None else "calendar.changed"
    audit.write(CalendarEvent.build(actor, kind, field="calendar", before=before, after=after,
                                    calendar_id=calendar.pk))


def _changed(actor: Actor, calendar: BusinessCalendar, before: dict | None) -> None:
    after = snapshot(calendar)
    if after != before:
        _record(actor, calendar, before, after)
        calendars_changed()
        calendar_saved.send(sender=BusinessCalendar, calendar=calendar)


@transaction.atomic
def save_calendar(calendar: BusinessCalendar, *, actor: Actor, weekly_hours: Iterable[Hours] | None = None,
                  exceptions: Iterable[Exception_] | None = None) -> BusinessCalendar:
    """Create or change a calendar: its own fields as set on `calendar`, and, when given, all its weekly hours
    and all its dated exceptions (the rows given replace the calendar's). Nothing changed writes no event."""
    stored = BusinessCalendar.objects.filter(pk=calendar.pk).first() if calendar.pk else None
    before = snapshot(stored) if stored else None
    calendar.save()
    if weekly_hours is not None:
        WeeklyHours.objects.filter(calendar=calendar).delete()
        WeeklyHours.objects.bulk_create(WeeklyHours(calendar=calendar, weekday=weekday, opens=opens, closes=closes)
                                        for weekday, opens, closes in weekly_hours)
    if exceptions is not None:
        CalendarException.objects.filter(calendar=calendar).delete()
        CalendarException.objects.bulk_create(
            CalendarException(calendar=calendar, date=day, opens=opens, closes=closes, description=description)
            for day, opens, closes, description in exceptions)
    _changed(actor, calendar, before)
    return calendar


@transaction.atomic
def delete_calendars(calendars: Iterable[BusinessCalendar], *, actor: Actor) -> None:
    """Delete calendars (a policy that uses one refuses it: ProtectedError); each deletion is audited."""
    for calendar in calendars:
        _record(actor, calendar, snapshot(calendar), None)
        calendar.delete()
    calendars_changed()


@transaction.atomic
def add_closed_day(calendar: BusinessCalendar, day: date, description: str, *,
                   actor: Actor = Actor.system("simulator")) -> CalendarException:
    """Close the calendar all day on a date (a company holiday), as an admin's dated exception would."""
    before = snapshot(calendar)
    exception = CalendarException.objects.create(calendar=calendar, date=day, description=description)
    _changed(actor, calendar, before)
    return exception
