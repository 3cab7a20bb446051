"""SLA clocks in a real browser: the ticket page shows each running clock with the business time left and what
pauses it, the warning arrives on the open page when the sweep records it (the panel refreshes itself, the
bell counts it), My work lists the ticket as breaching soon, and an override without a reason is refused
beside the field."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from caredesk.core import clock
from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e


@pytest.fixture
def round_the_clock(e2e_db):
    """The default calendar open every hour of every day (the test runs whenever the machine's clock says),
    and a 60-minute first reply warned 30 minutes before: configuration, as the admin would set it."""
    from caredesk.calendars.models import BusinessCalendar, WeeklyHours
    from caredesk.sla.actions import configuration_changed
    from caredesk.sla.models import SlaTargetSpec

    calendar = BusinessCalendar.objects.get(is_default=True)
    WeeklyHours.objects.filter(calendar=calendar).delete()
    WeeklyHours.objects.bulk_create([WeeklyHours(calendar=calendar, weekday=day, opens=time(0), closes=time(0))
                                     for day in range(7)])
    BusinessCalendar.objects.filter(pk=calendar.pk).update(holiday_country="")
    SlaTargetSpec.objects.filter(policy__key="standard", metric="first_reply").update(
        business_minutes=60, warn_minutes_before=30)
    configuration_changed()  # as the admin's saves do: every process reads the policies again


@pytest.fixture
def waiting_ticket(round_the_clock, maria, dana):
    """Dana's ticket, opened 40 minutes ago and assigned to Maria: first reply due in 20 minutes, its warning
    due 10 minutes ago but not yet swept."""
    from caredesk.tickets.actions import create_ticket

    with clock.frozen_at(clock.now() - timedelta(minutes=40)):
        return create_ticket(actor=Actor.of_agent(maria), requester=dana, subject="The app will not open",
                             assignee=maria)


def test_the_ticket_page_shows_the_clocks_and_a_warning_arrives(page, sign_in, waiting_ticket, settings):
    from caredesk.sla import actions

    settings.SLA_PANEL_REFRESH_SECONDS = 1
    sign_in("maria")
    page.goto(f"/tickets/{waiting_ticket.pk}/")
    panel = page.get_by_role("region", name="SLA and priority")
    clocks = panel.get_by_role("list", name="Running SLA clocks")
    first = clocks.locator("li[data-metric=first_reply]")
    expect(first).to_contain_text("First reply")
    expect(first).to_contain_text(re.compile(r"(19|20)m of business time left"))
    expect(first).to_contain_text("Never paused")
    expect(clocks.locator("li[data-metric=resolution]")).to_contain_text("Paused by: on_hold, pending")
    expect(first).to_contain_text("Running")
    expect(panel).to_contain_text("Policy Standard")
    expect(panel.locator("#priority-reached")).to_contain_text("medium as the ticket was opened")

    assert actions.sweep_due() == 1  # the worker's sweep: the warning falls due now
    expect(first).to_contain_text("Breaches soon", timeout=10_000)  # the open page refreshes by itself
    expect(panel.get_by_role("list", name="SLA warnings")).to_contain_text("first reply: breaches soon")
    expect(panel.get_by_role("list", name="SLA warnings")).to_contain_text("to maria")
    expect(page.locator("#bell-count")).to_have_text("1", timeout=10_000)  # in-app, to the assignee
    page.locator("#bell summary").click()
    expect(page.locator("#notifications")).to_contain_text(
        f"#{waiting_ticket.pk} The app will not open: first reply breaches soon")

    page.goto("/")
    soon = page.locator("#sla-soon")
    expect(soon).to_contain_text(f"#{waiting_ticket.pk} The app will not open")


def test_an_override_needs_a_reason_and_shows_how_the_priority_was_reached(page, sign_in, waiting_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{waiting_ticket.pk}/")
    panel = page.get_by_role("region", name="SLA and priority")
    override = panel.get_by_role("form", name="Override the priority")
    override.get_by_label("Priority").select_option("Urgent")
    override.get_by_role("button", name="Override").click()
    expect(panel.get_by_role("form", name="Override the priority").get_by_role("alert")).to_contain_text(
        "Say why you override the priority.")
    panel.get_by_role("form", name="Override the priority").get_by_label("Priority").select_option("Urgent")
    panel.get_by_role("form", name="Override the priority").get_by_label("Reason").fill("Their launch is today")
    panel.get_by_role("form", name="Override the priority").get_by_role("button", name="Override").click()
    expect(panel.get_by_role("status")).to_have_text("Priority overridden.")
    expect(panel.locator("#priority-reached")).to_contain_text("set to urgent by an agent: Their launch is today")
    expect(panel).to_contain_text("Policy Urgent tickets")


def test_a_supervisor_adds_a_group_member_who_then_hears_of_the_groups_sla_warning(page, sign_in, round_the_clock,
                                                                                   maria, dana, e2e_agent):
    """The warning of a ticket assigned to Maria reaches Sam under the bell: Sam is not the assignee but a member
    of the ticket's group, added by the Team Supervisor on the Groups page."""
    from caredesk.core import roles
    from caredesk.sla import actions
    from caredesk.tickets.actions import create_ticket
    from caredesk.tickets.models import Group

    e2e_agent("tess", roles.TEAM_SUPERVISOR, first_name="Tess", last_name="Supervisor")
    e2e_agent("sam", first_name="Sam", last_name="Ortiz")
    group = Group.objects.get(key="general_support")
    with clock.frozen_at(clock.now() - timedelta(minutes=40)):
        ticket = create_ticket(actor=Actor.of_agent(maria), requester=dana, subject="The app will not open",
                               assignee=maria, group=group)

    sign_in("tess")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    row = page.locator(f"#group-{group.pk}")
    expect(row.locator("[data-members]")).to_have_text("No members")
    row.get_by_label("Members of General Support").select_option(label="Sam Ortiz")
    row.get_by_role("button", name="Save members of General Support").click()
    expect(page.get_by_text("Saved the members of General Support.")).to_be_visible()
    expect(page.locator(f"#group-{group.pk} [data-members]")).to_have_text("Sam Ortiz")

    page.context.clear_cookies()
    sign_in("sam")
    expect(page.locator("#bell-count")).to_be_hidden()
    assert actions.sweep_due() == 1  # the worker's sweep: the first reply's warning falls due now
    expect(page.locator("#bell-count")).to_have_text("1", timeout=10_000)  # in-app, to the group's member
    page.locator("#bell summary").click()
    expect(page.locator("#notifications")).to_contain_text(
        f"#{ticket.pk} The app will not open (General Support): first reply breaches soon")
