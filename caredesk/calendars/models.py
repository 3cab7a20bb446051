"""Business-hours calendars the team edits in the admin: a time zone, weekly hours, a country's public
holidays (the `holidays` package) and dated exceptions. The SLA clocks count business time with them and the
playbooks count business days with them; `caredesk.calendars.hours` does the counting."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from caredesk.calendars import hours


def _check_zone(value: str) -> None:
    try:
        hours.BusinessHours(timezone=value)
    except Exception as error:
        raise ValidationError(f"{value!r} is not an IANA time zone such as America/New_York") from error


class BusinessCalendar(models.Model):
    key = models.SlugField(max_length=64, unique=True, help_text="The stable name playbooks and policies use.")
    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="America/New_York", validators=[_check_zone])
    holiday_country = models.CharField(max_length=8, blank=True, help_text="e.g. US; empty: no public holidays")
    holiday_subdivision = models.CharField(max_length=16, blank=True, help_text="e.g. NY")
    is_default = models.BooleanField(default=False, help_text="The calendar of policies that name none.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                               name="one_default_calendar")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.holiday_subdivision and not self.holiday_country:
            raise ValidationError({"holiday_subdivision": "A subdivision needs a country."})
        if self.holiday_country:
            try:
                hours.holiday_calendar(self.holiday_country, self.holiday_subdivision or None)
            except NotImplementedError as error:
                raise ValidationError({"holiday_country": str(error)}) from error


class WeeklyHours(models.Model):
    """One opening interval of a weekday; several rows make a split day."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(choices=[(index, name.capitalize())
                                                        for index, name in enumerate(hours.WEEKDAYS)])
    opens = models.TimeField()
    closes = models.TimeField(help_text="00:00 means the end of the day.")

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "weekly hours"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def interval(self) -> hours.Interval:
        return _interval(self.opens, self.closes)

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None:
            start, end = _interval(self.opens, self.closes)
            if start >= end:
                raise ValidationError({"closes": "Closes after it opens."})


class CalendarException(models.Model):
    """A dated exception an admin adds: closed all day (no times), or open at other hours than the week's."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)
    description = models.CharField(max_length=200)

    class Meta:
        ordering = ["date", "opens"]

    def __str__(self) -> str:
        return f"{self.date}: {self.description}"

    def clean(self) -> None:
        if (self.opens is None) != (self.closes is None):
            raise ValidationError({"closes": "Give both times, or neither for a day closed."})
        if self.opens is not None:
            start, end = self.interval()
            if start >= end:
                raise ValidationError({"closes": "Closes after it opens."})

    def interval(self) -> hours.Interval | None:
        """The opening interval, or None: closed all day."""
        return None if self.opens is None else _interval(self.opens, self.closes)


def _interval(opens, closes) -> hours.Interval:
    end = closes.hour * 60 + closes.minute
    return (opens.hour * 60 + opens.minute, end or hours.DAY_MINUTES)


class CalendarsVersion(models.Model):
    """One row: a token that changes whenever a calendar is edited, so every process knows when its snapshot
    of the calendars (caredesk.calendars.queries.calendar_set, the playbooks' business days) is out of date
    with one small read."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "calendars version"
