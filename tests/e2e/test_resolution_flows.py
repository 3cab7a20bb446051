"""SOP 004's resolution and closure in a real browser: an agent cannot solve a ticket without the resolution
fields the team requires; the customer's preferred channel is the composer's open tab; the confirmation email
or text goes out through the outbox (on their preferred channel) and its "still not fixed" page reopens the
ticket (only its button does); feedback marked for a team appears in that team's list."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e


@pytest.fixture
def ticket(maria, dana):
    from caredesk.tickets import actions as ticket_actions

    return ticket_actions.create_ticket(actor=Actor.of_agent(maria), requester=dana, subject="My charger is broken",
                                        description="It stopped charging after a week.", assignee=maria)


def status_of(ticket) -> str:
    from caredesk.tickets.models import Ticket

    return Ticket.objects.get(pk=ticket.pk).status


def test_an_agent_cannot_solve_a_ticket_without_the_required_resolution_fields(page, sign_in, ticket):
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    panel = page.locator("#resolution")
    panel.get_by_role("button", name="Solve with this resolution").click()
    panel = page.locator("#resolution")
    expect(panel.get_by_text("Choose the root cause.")).to_be_visible()
    expect(panel.get_by_text("Write a short summary of the resolution.")).to_be_visible()
    assert status_of(ticket) == "new"

    properties = page.locator("#properties")  # the other door to "solved" obeys the same rule
    properties.get_by_label("Status").select_option("solved")
    expect(page.locator("#properties").get_by_text("Record the resolution before solving")).to_be_visible()
    assert status_of(ticket) == "new"

    panel = page.locator("#resolution")
    panel.get_by_label("Root cause").select_option(label="Product defect")
    panel.get_by_label("Resolution summary").fill("Sent a replacement charger.")
    panel.get_by_label("The customer has already confirmed it is fixed").check()
    panel.get_by_label("How they confirmed").select_option(label="Phone call")
    panel.get_by_role("button", name="Solve with this resolution").click()
    expect(page.get_by_text("Solved, with its resolution.")).to_be_visible()
    expect(page.locator("#resolution .resolution-root-cause")).to_have_text("Product defect")
    expect(page.locator("#resolution .confirmation-state")).to_have_text("Confirmed")
    assert status_of(ticket) == "solved"


@pytest.mark.parametrize(("preferred", "tab"), [("sms", "text"), ("phone", "call"), ("email", "reply")])
def test_the_customers_preferred_channel_is_preselected_in_the_composer(page, sign_in, maria, dana, ticket,
                                                                          preferred, tab):
    from caredesk.customers.actions import update_customer

    update_customer(dana, actor=Actor.of_agent(maria), preferred_channel=preferred)
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    expect(page.locator(f"#tab-{tab}")).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#panel-{tab}")).to_be_visible()


@pytest.mark.parametrize(("preferred", "channel", "to"), [("", "email", ["dana@example.com"]),
                                                          ("sms", "sms", ["+14155550132"])])
def test_the_confirmation_email_or_text_goes_out_and_still_not_fixed_reopens_the_ticket(
        page, sign_in, maria, dana, ticket, preferred, channel, to):
    from caredesk.channels.models import OutboundMessage
    from caredesk.customers.actions import update_customer

    update_customer(dana, actor=Actor.of_agent(maria), preferred_channel=preferred)
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    panel = page.locator("#resolution")
    panel.get_by_label("Root cause").select_option(label="Product defect")
    panel.get_by_label("Resolution summary").fill("Sent a replacement charger.")
    expect(panel.get_by_label("Send the customer a confirmation message on their preferred channel")).to_be_checked()
    panel.get_by_role("button", name="Solve with this resolution").click()
    expect(page.locator("#resolution .confirmation-state")).to_have_text("Asked by message")

    message = OutboundMessage.objects.get(ticket=ticket)
    assert (message.channel, message.status, message.to) == (channel, "queued", to)
    link = next(word for word in message.body.split() if "/resolution/confirm/" in word)
    page.goto(urlsplit(link).path)  # opening the link changes nothing: mail scanners open links
    expect(page.get_by_role("heading", name="Is your request resolved?")).to_be_visible()
    assert status_of(ticket) == "solved"
    page.get_by_label("What is still wrong? (optional)").fill("It still does not charge.")
    page.get_by_role("button", name="Still not fixed").click()
    expect(page.get_by_text(f"Your request is open again as ticket #{ticket.pk}")).to_be_visible()
    assert status_of(ticket) == "open"


def test_feedback_marked_for_a_team_appears_in_that_teams_list(page, sign_in, ticket):
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    panel = page.locator("#feedback")
    panel.get_by_label("Feedback for").select_option(label="Billing")
    panel.get_by_label("Or new feedback (an internal note)").fill("The customer was charged twice for the replacement.")
    panel.get_by_role("button", name="Share as feedback").click()
    expect(page.get_by_text("Feedback shared.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Feedback").click()
    page.get_by_role("navigation", name="Teams").get_by_role("link", name="Billing").click()
    expect(page.get_by_role("heading", name="Feedback for Billing")).to_be_visible()
    received = page.locator("table.feedback-received")
    expect(received.get_by_text("The customer was charged twice for the replacement.")).to_be_visible()
    expect(received.get_by_role("link", name=f"#{ticket.pk} My charger is broken")).to_be_visible()
    expect(page.locator("table.weekly-counts")).to_contain_text("Not solved yet")
