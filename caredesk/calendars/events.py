"""The audit event kinds of the business-hours calendars (see caredesk.core.events)."""

from __future__ import annotations

from caredesk.calendars.models import CalendarEvent
from caredesk.core.events import EventKind, record, register

CALENDAR = record("name", "key", "timezone", "holiday_country", "holiday_subdivision", "is_default", "weekly_hours",
                  "exceptions")


def declare() -> None:
    register(
        CalendarEvent,
        EventKind("calendar.created", "created the calendar {name}", field="calendar", after=CALENDAR),
        EventKind("calendar.changed", "changed the calendar {name}", field="calendar", before=CALENDAR,
                  after=CALENDAR),
        EventKind("calendar.deleted", "deleted the calendar {name}", field="calendar", before=CALENDAR),
    )
