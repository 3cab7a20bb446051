"""Follow-ups in a real browser: an agent completes an attempt from the ticket's Follow-up panel, and a
supervisor reads the compliance report that an agent cannot open."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caredesk.core import roles
from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e


@pytest.fixture
def followed_ticket(maria):
    """Dana's general inquiry with a linked order, set pending: the general follow-up starts on day 1."""
    from caredesk.customers.actions import create_customer, create_order
    from caredesk.customers.models import Industry
    from caredesk.tickets.actions import create_ticket, update_ticket
    from caredesk.tickets.models import TicketType

    actor = Actor.of_agent(maria)
    dana = create_customer(actor=actor, name="Dana Whitfield", emails=["dana@example.com"],
                           phones=["+1 415 555 0132"])
    order = create_order(actor=actor, customer=dana, external_reference="ORD-20410",
                         industry=Industry.objects.get(key="us_passport"), status="Photo rejected")
    ticket = create_ticket(actor=actor, requester=dana, subject="Passport application: photo rejected",
                           description="Your photo did not meet the requirements.", assignee=maria, order=order,
                           ticket_type=TicketType.objects.get(key="general_inquiry"))
    update_ticket(ticket, actor=actor, status="pending")
    return ticket


def test_an_agent_completes_an_attempt_from_the_checklist(page, sign_in, followed_ticket):
    sign_in("maria")
    page.locator("#tasks").get_by_role("link", name=re.compile("Passport application: photo rejected")).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{followed_ticket.pk}/#task-\d+$"))
    panel = page.get_by_role("region", name="Follow-up")
    expect(panel).to_contain_text("General inquiry follow-up")
    expect(panel).to_contain_text("Day 1: 1st update, initial grab of the ticket")

    attempt = panel.get_by_role("form", name=re.compile("Day 1"))
    attempt.get_by_role("button", name="Complete attempt").click()  # nothing ticked, not reached
    expect(attempt.get_by_role("alert")).to_contain_text("Say which channels you tried")
    expect(attempt.get_by_role("checkbox", name="Email dana@example.com")).to_be_focused()

    attempt.get_by_role("checkbox", name="Call +1 415-555-0132").check()
    attempt.get_by_role("checkbox", name="Text +1 415-555-0132").check()
    attempt.get_by_role("group", name="Customer reached").get_by_label("No").check()
    attempt.get_by_role("button", name="Complete attempt").click()

    expect(panel.get_by_role("status")).to_have_text("Attempt recorded.")
    expect(panel).to_contain_text("Next attempt: day 3")
    expect(panel.get_by_role("list", name="Earlier attempts")).to_contain_text("tried call, text")
    expect(panel.get_by_role("list", name="Earlier attempts")).to_contain_text("not reached")
    expect(page.get_by_role("region", name="Timeline").locator(".entry.note")).to_contain_text("1/3")
    expect(page.get_by_role("button", name="Complete attempt")).to_have_count(0)


def test_an_agent_stops_a_follow_up_with_a_reason(page, sign_in, followed_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{followed_ticket.pk}/")
    panel = page.get_by_role("region", name="Follow-up")
    panel.get_by_text("Stop this follow-up").click()
    panel.get_by_label("Reason").fill("Customer called in with the new photo")
    panel.get_by_role("button", name="Stop follow-up").click()
    expect(panel.get_by_role("status")).to_have_text("Follow-up stopped.")
    expect(panel).to_contain_text("Stopped")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("cancelled the playbook")


def test_a_supervisor_reads_the_compliance_report(page, sign_in, followed_ticket, e2e_agent):
    from caredesk.playbooks.actions import complete_task
    from caredesk.playbooks.models import FollowUpTask

    task = FollowUpTask.objects.get(ticket=followed_ticket)
    complete_task(task, agent=followed_ticket.assignee, channels_tried=["email"], reached=False)
    e2e_agent("sam", roles.TEAM_SUPERVISOR, first_name="Sam", last_name="Reyes")
    sign_in("sam")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Follow-up compliance").click()
    expect(page.get_by_role("heading", name="Follow-up compliance")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("General inquiry follow-up"))
    expect(row).to_contain_text("Maria Lopez")
    expect(row).to_contain_text("100%")
    page.get_by_label("Agent").select_option(label="Sam Reyes")
    expect(page.get_by_role("cell", name=re.compile("No follow-up attempts"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"agent=sam"))


def test_an_agent_sees_only_their_own_reports(page, sign_in, maria):
    sign_in("maria")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_text("Your own figures")).to_be_visible()
    expect(page.get_by_role("link", name="Follow-up compliance")).to_have_count(0)
    page.goto("/reports/compliance/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
