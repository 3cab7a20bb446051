"""Day counting for playbooks: calendar days, or business days in a time zone with public holidays.

Day 1 is the local date on which the run starts, whatever that date is (a run started on a Saturday
or on a holiday has that Saturday as day 1). Day N for N >= 2 is the (N-1)th counted date after
day 1: every date for calendar days; Monday to Friday except the configured country's public
holidays for business days. Day N runs from local midnight to the next local midnight. An instant
that falls between two counted days (a weekend, a holiday) still belongs to the previous day: the
run is "on day N" until day N+1 starts.

Business days are the days with working hours of a business-hours calendar (caredesk.calendars.hours, the
code the SLA clocks count with). A playbook's file gives a time zone and a country's public holidays (Monday to
Friday without them); when it runs, the runner puts the team's calendar in their place (`on`): the one its
`days.calendar` names, else the default calendar, with the weekly hours and the dated exceptions an admin adds.

All instants given to and returned by this module are timezone-aware; returned instants are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from caredesk.calendars.hours import BusinessHours, holiday_calendar, require_aware

__all__ = ["BUSINESS_DAYS", "CALENDAR_DAYS", "COUNTING_KINDS", "DayCalendar", "holiday_calendar", "require_aware"]

CALENDAR_DAYS = "calendar"
BUSINESS_DAYS = "business"
COUNTING_KINDS = (CALENDAR_DAYS, BUSINESS_DAYS)


@dataclass(frozen=True)
class DayCalendar:
    """How a playbook counts its days."""

    counting: str = BUSINESS_DAYS
    timezone: str = "UTC"
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    hours: BusinessHours | None = None  # a team's calendar (see `on`); else Monday to Friday, all day
    calendar: str | None = None  # the key of the team's calendar the playbook names (`days.calendar`)

    def __post_init__(self) -> None:
        if self.counting not in COUNTING_KINDS:
            raise ValueError(f"counting must be one of {COUNTING_KINDS}, got {self.counting!r}")
        if self.hours is None:  # checks the zone and the holidays
            object.__setattr__(self, "hours", BusinessHours(
                timezone=self.timezone, holiday_country=self.holiday_country,
                holiday_subdivision=self.holiday_subdivision))
        elif (self.hours.timezone, self.hours.holiday_country, self.hours.holiday_subdivision) != (
                self.timezone, self.holiday_country, self.holiday_subdivision):
            raise ValueError("a day calendar's time zone and holidays are those of its business hours")

    def on(self, hours: BusinessHours | None) -> DayCalendar:
        """This day count on a team's calendar (its time zone, weekly hours, holidays and dated exceptions);
        unchanged for calendar days, or when there is no calendar to count with."""
        if self.counting == CALENDAR_DAYS or hours is None or hours == self.hours:
            return self
        return replace(self, timezone=hours.timezone, holiday_country=hours.holiday_country,
                       holiday_subdivision=hours.holiday_subdivision, hours=hours)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def counts(self, day: date) -> bool:
        """Whether this date is a counted day."""
        return self.counting == CALENDAR_DAYS or self.hours.is_business_day(day)

    def local_date(self, instant: datetime) -> date:
        return require_aware(instant).astimezone(self.zone).date()

    def day_date(self, started_at: datetime, number: int) -> date:
        """The local date of day `number` of a run started at `started_at`."""
        if number < 1:
            raise ValueError(f"day numbers start at 1, got {number}")
        current = self.local_date(started_at)
        for _ in range(number - 1):
            current += timedelta(days=1)
            while not self.counts(current):
                current += timedelta(days=1)
        return current

    def day_start(self, started_at: datetime, number: int) -> datetime:
        """Local midnight at the start of day `number`, in UTC."""
        return self._midnight(self.day_date(started_at, number))

    def day_end(self, started_at: datetime, number: int) -> datetime:
        """Local midnight at the end of day `number`, in UTC (exclusive)."""
        return self._midnight(self.day_date(started_at, number) + timedelta(days=1))

    def day_number(self, started_at: datetime, instant: datetime) -> int:
        """The day a given instant falls in: the latest day that has started by then."""
        start_date = self.local_date(started_at)
        instant_date = self.local_date(instant)
        if instant_date < start_date:
            raise ValueError(f"{instant.isoformat()} is before the run started ({started_at.isoformat()})")
        number = 1
        current = start_date
        while current < instant_date:
            current += timedelta(days=1)
            if self.counts(current):
                number += 1
        return number

    def describe(self) -> str:
        """A sentence a manager can read, e.g. for `playbook show`."""
        if self.counting == CALENDAR_DAYS:
            return f"calendar days in {self.timezone}"
        holidays_text = "no public holidays configured"
        if self.holiday_country:
            region = self.holiday_country
            if self.holiday_subdivision:
                region += f"-{self.holiday_subdivision}"
            holidays_text = f"skipping public holidays of {region}"
        closed = [day.isoformat() for day, intervals in self.hours.exceptions if not intervals]
        closed_text = f", closed on {', '.join(closed)}" if closed else ""
        return f"business days (Monday to Friday, {holidays_text}{closed_text}) in {self.timezone}"

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone).astimezone(timezone.utc)
