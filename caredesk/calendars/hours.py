"""Business hours: when a team works, in its time zone, without its public holidays and dated exceptions.

Pure (no Django import): the SLA clocks count business time with it, and the playbooks count business days
with it (a business day is a date with working hours). A week is seven tuples of opening intervals, Monday
first, each interval (start minute, end minute) of the local day, 0 <= start < end <= 1440. A dated exception
replaces the week's hours on its date: no intervals means closed all day. Public holidays of the configured
country (the `holidays` package) are closed unless an exception opens them.

Every instant given to and returned by this module is timezone-aware; returned instants are UTC. Local
intervals are converted with the zone's rules, so a day with a daylight-saving change has its real length.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays

Interval = tuple[int, int]  # minutes from local midnight: [start, end)
DAY_MINUTES = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SEARCH_LIMIT_DAYS = 3 * 366  # a calendar closed longer than this has no next working minute


@functools.lru_cache(maxsize=64)
def holiday_calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    """The public holidays of a country (and subdivision); raises NotImplementedError if unknown."""
    return holidays.country_holidays(country, subdiv=subdivision)


def require_aware(instant: datetime, name: str = "instant") -> datetime:
    """Return the instant in UTC; a naive datetime is a programming error."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {instant!r}")
    return instant.astimezone(timezone.utc)


def check_intervals(intervals: tuple[Interval, ...], what: str) -> None:
    previous_end = 0
    for start, end in intervals:
        if not 0 <= start < end <= DAY_MINUTES:
            raise ValueError(f"{what}: an interval runs from 00:00 to 24:00 and ends after it starts, got {start}-{end}")
        if start < previous_end:
            raise ValueError(f"{what}: intervals must be in order and must not overlap")
        previous_end = end


ALL_DAY: tuple[Interval, ...] = ((0, DAY_MINUTES),)
MONDAY_TO_FRIDAY_ALL_DAY = (ALL_DAY,) * 5 + ((), ())


@dataclass(frozen=True)
class BusinessHours:
    """A working calendar. `exceptions` are (date, intervals) pairs; no intervals: closed that date."""

    timezone: str = "UTC"
    week: tuple[tuple[Interval, ...], ...] = MONDAY_TO_FRIDAY_ALL_DAY
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    exceptions: tuple[tuple[date, tuple[Interval, ...]], ...] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # raises ZoneInfoNotFoundError for an unknown zone
        if len(self.week) != 7:
            raise ValueError(f"a week has 7 days of hours, got {len(self.week)}")
        for name, intervals in zip(WEEKDAYS, self.week):
            check_intervals(intervals, name)
        if not any(self.week):
            raise ValueError("a business calendar needs working hours on at least one weekday")
        for day, intervals in self.exceptions:
            check_intervals(intervals, day.isoformat())
        if self.holiday_subdivision and not self.holiday_country:
            raise ValueError("a holiday subdivision needs a holiday country")
        if self.holiday_country:
            holiday_calendar(self.holiday_country, self.holiday_subdivision)
        object.__setattr__(self, "_exceptions", dict(self.exceptions))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        return bool(self.holiday_country) and day in holiday_calendar(self.holiday_country, self.holiday_subdivision)

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of a local date: its exception, else nothing on a holiday, else the week's."""
        special = self._exceptions.get(day)  # type: ignore[attr-defined]
        if special is not None:
            return special
        if self.is_holiday(day):
            return ()
        return self.week[day.weekday()]

    def is_business_day(self, day: date) -> bool:
        return bool(self.hours_on(day))

    def local_date(self, instant: datetime) -> date:
        return require_aware(instant).astimezone(self.zone).date()

    def _instant(self, day: date, minute: int) -> datetime:
        return (datetime.combine(day, time.min, tzinfo=self.zone) + timedelta(minutes=minute)
                if minute < DAY_MINUTES else datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.zone))

    def _open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of a local date as UTC instants."""
        return [(self._instant(day, start).astimezone(timezone.utc), self._instant(day, end).astimezone(timezone.utc))
                for start, end in self.hours_on(day)]

    def seconds_between(self, start: datetime, end: datetime) -> int:
        """Working seconds in [start, end); 0 when end is not after start."""
        start, end = require_aware(start, "start"), require_aware(end, "end")
        if end <= start:
            return 0
        total = 0.0
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            for opens, closes in self._open_intervals(day):
                overlap = (min(closes, end) - max(opens, start)).total_seconds()
                if overlap > 0:
                    total += overlap
            day += timedelta(days=1)
        return int(total)

    def add(self, start: datetime, seconds: int) -> datetime:
        """The instant at which `seconds` of working time have passed since `start` (`start` itself, moved to
        the next working minute, when `seconds` is 0 or less)."""
        start = require_aware(start, "start")
        remaining = max(0, seconds)
        day = self.local_date(start)
        for _ in range(SEARCH_LIMIT_DAYS):
            for opens, closes in self._open_intervals(day):
                if closes <= start:
                    continue
                begin = max(opens, start)
                available = (closes - begin).total_seconds()
                if remaining <= available:  # a target due at closing time is due then, not next morning
                    return begin + timedelta(seconds=remaining)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError(f"no working time within {SEARCH_LIMIT_DAYS} days of {start.isoformat()}")

    def is_open(self, instant: datetime) -> bool:
        instant = require_aware(instant)
        return any(opens <= instant < closes for opens, closes in self._open_intervals(self.local_date(instant)))

    def describe(self) -> str:
        """A sentence a manager can read, e.g. "Mon-Fri 09:00-17:00 in America/New_York, public holidays of
        US off"."""
        open_days = [index for index, intervals in enumerate(self.week) if intervals]
        same = len({self.week[index] for index in open_days}) == 1
        contiguous = open_days == list(range(open_days[0], open_days[-1] + 1))
        if same and contiguous:
            first, last = WEEKDAYS[open_days[0]][:3].capitalize(), WEEKDAYS[open_days[-1]][:3].capitalize()
            days = first if first == last else f"{first}-{last}"
            hours = f"{days} {format_intervals(self.week[open_days[0]])}"
        else:
            hours = "; ".join(f"{WEEKDAYS[index][:3].capitalize()} {format_intervals(self.week[index])}"
                              for index in open_days)
        if self.holiday_country:
            region = self.holiday_country + (f"-{self.holiday_subdivision}" if self.holiday_subdivision else "")
            holidays_text = f"public holidays of {region} off"
        else:
            holidays_text = "no public holidays configured"
        return f"{hours} in {self.timezone}, {holidays_text}"


def format_intervals(intervals: tuple[Interval, ...]) -> str:
    if not intervals:
        return "closed"
    return ", ".join(f"{_clock(start)}-{_clock(end)}" for start, end in intervals)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_clock(text: str) -> int:
    """'09:30' -> 570 minutes; '24:00' is the end of the day."""
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"a time of day is HH:MM, got {text!r}")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > DAY_MINUTES:
        raise ValueError(f"a time of day runs from 00:00 to 24:00, got {text!r}")
    return value
