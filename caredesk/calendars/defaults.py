"""The calendar a new installation starts with: the team's office, 09:00-17:00 Eastern, Monday to Friday,
without US public holidays. The team edits it (and adds others) in the admin."""

import datetime

DEFAULT_CALENDAR = {"key": "us_office", "name": "US office", "timezone": "America/New_York",
                    "holiday_country": "US", "holiday_subdivision": ""}
OFFICE_HOURS = (datetime.time(9), datetime.time(17))


def seed(apps, schema_editor=None) -> None:
    Calendar = apps.get_model("calendars.BusinessCalendar")
    if Calendar.objects.exists():
        return
    calendar = Calendar.objects.create(is_default=True, **DEFAULT_CALENDAR)
    WeeklyHours = apps.get_model("calendars.WeeklyHours")
    WeeklyHours.objects.bulk_create([WeeklyHours(calendar=calendar, weekday=day, opens=OFFICE_HOURS[0],
                                                 closes=OFFICE_HOURS[1]) for day in range(5)])
