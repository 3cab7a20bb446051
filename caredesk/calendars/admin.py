"""Calendars are configuration: the team edits them here, and every save goes through
caredesk.calendars.actions (audited, a new version token, the SLA clocks told)."""

from django.contrib import admin

from caredesk.calendars import actions
from caredesk.calendars.models import BusinessCalendar, CalendarEvent, CalendarException, WeeklyHours
from caredesk.calendars.queries import business_hours
from caredesk.channels.admin import ReadOnlyAdmin
from caredesk.core.audit import Actor


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0


def _kept(formset) -> list[dict]:
    """The rows an inline formset keeps: filled in and not marked for deletion."""
    return [form.cleaned_data for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """A change is seen by the next clock computed; `caredesk.sla` recomputes the open clocks of the policies
    that use the calendar when it is saved, and the playbooks' business days read the calendars again."""

    list_display = ("name", "key", "timezone", "holiday_country", "is_default", "hours")
    prepopulated_fields = {"key": ("name",)}
    inlines = [WeeklyHoursInline, CalendarExceptionInline]

    @admin.display(description="Business hours")
    def hours(self, calendar: BusinessCalendar) -> str:
        return business_hours(calendar).describe()

    def save_model(self, request, obj, form, change):
        pass  # saved with its hours and exceptions by the action, in save_related

    def save_related(self, request, form, formsets, change):
        by_model = {formset.model: _kept(formset) for formset in formsets}
        actions.save_calendar(
            form.instance, actor=Actor.of_agent(request.user),
            weekly_hours=[(row["weekday"], row["opens"], row["closes"]) for row in by_model[WeeklyHours]],
            exceptions=[(row["date"], row["opens"], row["closes"], row["description"])
                        for row in by_model[CalendarException]])
        for formset in formsets:  # what the admin's history message reads (the calendar's trail: CalendarEvent)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        actions.delete_calendars([obj], actor=Actor.of_agent(request.user))

    def delete_queryset(self, request, queryset):
        actions.delete_calendars(list(queryset), actor=Actor.of_agent(request.user))


@admin.register(CalendarEvent)
class CalendarEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "calendar_id")
    list_filter = ("action",)
