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
