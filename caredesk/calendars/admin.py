from django.contrib import admin

from caredesk.core.admin import AuditedAdmin
from caredesk.calendars.actions import calendars_changed
from caredesk.calendars.models import BusinessCalendar, CalendarException, WeeklyHours
from caredesk.calendars.queries import business_hours
from caredesk.calendars.signals import calendar_saved


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdmin):
    """Calendars are configuration: the team edits them here. A change is seen by the next clock computed;
    `caredesk.sla` recomputes the open clocks of the policies that use the calendar when it is saved, and the
    playbooks' business days read the calendars again (a new version token)."""

    list_display = ("name", "key", "timezone", "holiday_country", "is_default", "hours")
    prepopulated_fields = {"key": ("name",)}
    inlines = [WeeklyHoursInline, CalendarExceptionInline]

    @admin.display(description="Business hours")
    def hours(self, calendar: BusinessCalendar) -> str:
        return business_hours(calendar).describe()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendars_changed()
        calendar_saved.send(sender=BusinessCalendar, calendar=form.instance)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendars_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        calendars_changed()
