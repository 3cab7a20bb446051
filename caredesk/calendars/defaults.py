"""The calendar a new installation starts with: the team's office, 09:00-17:00 Eastern, Monday to Friday,
without US public holidays. The team edits it (and adds others) in the admin."""

import datetime
import uuid

DEFAULT_CALENDAR = {"key": "us_office", "name": "US office", "timezone": "America/New_York",
                    "holiday_country": "US", "holiday_subdivision": ""}
OFFICE_HOURS = (datetime.time(9), datetime.time(17))


def seed(apps, schema_editor=None) -> None:
    # A fresh token for what is seeded here (after a flush too): every process re-reads its snapshot. (The
    # first data migration runs before the model exists; 0003 seeds it.)
    if "calendarsversion" in apps.all_models["calendars"]:
        apps.get_model("calendars.CalendarsVersion").objects.get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
    Calendar = apps.get_model("calendars.BusinessCalendar")
    if Calendar.objects.exists():
        return
    calendar = Calendar.objects.create(is_default=True, **DEFAULT_CALENDAR)
    WeeklyHours = apps.get_model("calendars.WeeklyHours")
    WeeklyHours.objects.bulk_create([WeeklyHours(calendar=calendar, weekday=day, opens=OFFICE_HOURS[0],
                                                 closes=OFFICE_HOURS[1]) for day in range(5)])
