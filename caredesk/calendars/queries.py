"""Business-hours calendars as the pure `BusinessHours` the clocks and playbooks count with."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Subquery

from caredesk.calendars.hours import BusinessHours
from caredesk.calendars.models import BusinessCalendar, CalendarsVersion


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


@dataclass(frozen=True)
class CalendarSet:
    """Every calendar's hours by key, and the default calendar's key: what the playbooks count business days
    with (read once per process and again when the calendars' version token changes)."""

    token: str | None
    hours_by_key: dict[str, BusinessHours] = field(default_factory=dict)
    default_key: str | None = None

    def hours(self, key: str | None) -> BusinessHours | None:
        """The named calendar's hours, else the default calendar's; None when there is neither."""
        return self.hours_by_key.get(key or "") or self.hours_by_key.get(self.default_key or "")


_snapshot: CalendarSet | None = None


def calendar_set() -> CalendarSet:
    """The calendars, re-read only when an edit (caredesk.calendars.actions.calendars_changed) changed the token."""
    return calendar_set_at(CalendarsVersion.objects.values_list("token", flat=True).first())


def calendars_token() -> Subquery:
    """The calendars' version token, to select with other rows and give to `calendar_set_at` (no query of its own)."""
    return Subquery(CalendarsVersion.objects.values("token")[:1])


def calendar_set_at(token: str | None) -> CalendarSet:
    """The calendars as of this version token (read again only when it is not the snapshot's)."""
    global _snapshot
    if _snapshot is None or _snapshot.token != token:
        calendars = list(BusinessCalendar.objects.prefetch_related("weekly_hours", "exceptions"))
        _snapshot = CalendarSet(token, {calendar.key: business_hours(calendar) for calendar in calendars},
                                next((calendar.key for calendar in calendars if calendar.is_default), None))
    return _snapshot
