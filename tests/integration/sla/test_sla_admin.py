"""The team edits priority and SLA configuration in the admin; saving a policy's target marks open clocks."""

from __future__ import annotations

import pytest

from caredesk.calendars.models import BusinessCalendar
from caredesk.sla.models import SlaPolicy, TicketSla

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
    rows = list(calendar.weekly_hours.all())
    data = {"key": calendar.key, "name": calendar.name, "timezone": calendar.timezone, "holiday_country": "US",
            "holiday_subdivision": "", "is_default": "on",
            "weekly_hours-TOTAL_FORMS": str(len(rows)), "weekly_hours-INITIAL_FORMS": str(len(rows)),
            "weekly_hours-MIN_NUM_FORMS": "0", "weekly_hours-MAX_NUM_FORMS": "1000",
            "exceptions-TOTAL_FORMS": "1", "exceptions-INITIAL_FORMS": "0", "exceptions-MIN_NUM_FORMS": "0",
            "exceptions-MAX_NUM_FORMS": "1000", "exceptions-0-date": "2026-12-24", "exceptions-0-description":
            "Company closed", "exceptions-0-calendar": str(calendar.pk)}
    for index, row in enumerate(rows):
        data.update({f"weekly_hours-{index}-id": str(row.pk), f"weekly_hours-{index}-calendar": str(calendar.pk),
                     f"weekly_hours-{index}-weekday": str(row.weekday), f"weekly_hours-{index}-opens": "09:00",
                     f"weekly_hours-{index}-closes": "17:00"})
    response = admin_client.post(f"/admin/calendars/businesscalendar/{calendar.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert calendar.exceptions.get().description == "Company closed"
    assert TicketSla.objects.get(ticket=ticket).stale
