"""The team edits priority and SLA configuration in the admin; saving a policy's target marks open clocks."""

from __future__ import annotations

import pytest

from caredesk.calendars.models import BusinessCalendar
from caredesk.sla.models import SlaPolicy, TicketSla
from tests.integration.helpers import add_calendar_exception

PAGES = ["/admin/sla/slapolicy/", "/admin/sla/slapolicy/add/", "/admin/sla/prioritymatrixcell/",
         "/admin/sla/impact/", "/admin/sla/urgency/", "/admin/sla/contracttier/", "/admin/sla/importancerule/",
         "/admin/sla/categorytags/", "/admin/sla/ticketsla/", "/admin/sla/slatarget/", "/admin/sla/ticketpriority/",
         "/admin/calendars/businesscalendar/", "/admin/calendars/businesscalendar/add/"]


@pytest.fixture
def admin_client(client, admin_agent):
    client.force_login(admin_agent)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_the_configuration_pages_open(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_the_policy_and_calendar_change_pages_open_with_their_inlines(admin_client):
    policy = SlaPolicy.objects.get(key="standard")
    page = admin_client.get(f"/admin/sla/slapolicy/{policy.pk}/change/").content.decode()
    assert "Periodic update" in page or "periodic update" in page
    calendar = BusinessCalendar.objects.get(is_default=True)
    page = admin_client.get(f"/admin/calendars/businesscalendar/{calendar.pk}/change/").content.decode()
    assert "America/New_York" in page


def test_saving_a_calendar_marks_the_open_clocks_for_the_sweep(admin_client, ticket):
    calendar = BusinessCalendar.objects.get(is_default=True)
    response = add_calendar_exception(admin_client, calendar, "2026-12-24", "Company closed")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert calendar.exceptions.get().description == "Company closed"
    assert TicketSla.objects.get(ticket=ticket).stale


def test_a_calendar_edited_in_the_admin_is_audited_with_its_exceptions_before_and_after(admin_client, admin_agent):
    from caredesk.calendars.models import CalendarEvent

    calendar = BusinessCalendar.objects.get(is_default=True)
    add_calendar_exception(admin_client, calendar, "2026-12-24", "Company closed")
    add_calendar_exception(admin_client, calendar, "2026-12-24", "Company closed")  # the same again: no event
    (event,) = CalendarEvent.objects.all()
    assert (event.action, event.actor_label, event.calendar_id) == ("calendar.changed", "root", calendar.pk)
    assert event.before["exceptions"] == [] and event.after["exceptions"] == ["2026-12-24 closed: Company closed"]
    assert event.after["weekly_hours"] == event.before["weekly_hours"] and "Monday 09:00-17:00" in event.after[
        "weekly_hours"]


def test_a_calendar_added_and_deleted_in_the_admin_is_audited(admin_client):
    from caredesk.calendars.models import CalendarEvent

    data = {"key": "night", "name": "Night shift", "timezone": "UTC", "holiday_country": "", "holiday_subdivision": "",
            "weekly_hours-TOTAL_FORMS": "1", "weekly_hours-INITIAL_FORMS": "0", "weekly_hours-MIN_NUM_FORMS": "0",
            "weekly_hours-MAX_NUM_FORMS": "1000", "weekly_hours-0-weekday": "0", "weekly_hours-0-opens": "22:00",
            "weekly_hours-0-closes": "00:00", "exceptions-TOTAL_FORMS": "0", "exceptions-INITIAL_FORMS": "0",
            "exceptions-MIN_NUM_FORMS": "0", "exceptions-MAX_NUM_FORMS": "1000"}
    assert admin_client.post("/admin/calendars/businesscalendar/add/", data).status_code == 302
    calendar = BusinessCalendar.objects.get(key="night")
    assert [str(row) for row in calendar.weekly_hours.all()] == ["Monday 22:00-00:00"]
    response = admin_client.post(f"/admin/calendars/businesscalendar/{calendar.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not BusinessCalendar.objects.filter(key="night").exists()
    events = list(CalendarEvent.objects.order_by("id"))
    assert [event.action for event in events] == ["calendar.created", "calendar.deleted"]
    assert events[1].before["name"] == "Night shift" and events[1].calendar_id == calendar.pk


def test_a_policy_edited_in_the_admin_is_audited_and_still_marks_the_clocks(admin_client, ticket):
    from caredesk.sla.models import SlaPolicyEvent

    policy = SlaPolicy.objects.get(key="standard")
    targets = list(policy.targets.all())
    data = {"name": policy.name, "key": policy.key, "description": policy.description, "position": "5",
            "active": "on", "calendar": "", "warn_group": "unassigned",
            "targets-TOTAL_FORMS": str(len(targets)), "targets-INITIAL_FORMS": str(len(targets)),
            "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "1000"}
    for index, spec in enumerate(targets):
        data.update({f"targets-{index}-id": str(spec.pk), f"targets-{index}-policy": str(policy.pk),
                     f"targets-{index}-metric": spec.metric, f"targets-{index}-business_minutes": str(
                         spec.business_minutes if spec.metric != "first_reply" else 120),
                     f"targets-{index}-pausing_statuses": spec.pausing_statuses,
                     f"targets-{index}-warn_minutes_before": spec.warn_minutes_before or "",
                     f"targets-{index}-warn_at_percent": spec.warn_at_percent or ""})
    response = admin_client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    (event,) = SlaPolicyEvent.objects.all()
    assert (event.action, event.actor_label, event.before["warn_group"], event.after["warn_group"]) == (
        "sla_policy.changed", "root", "always", "unassigned")
    assert any(text.startswith("first_reply 120 business minutes") for text in event.after["targets"])
    assert not any(text.startswith("first_reply 120 business minutes") for text in event.before["targets"])
    assert TicketSla.objects.get(ticket=ticket).stale
