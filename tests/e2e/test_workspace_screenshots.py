"""Screenshots of the workspace for docs/workspace.md, taken on the demo data at 1280 px.

Run with CAREDESK_SCREENSHOTS=1 to (re)write docs/screenshots/*.png; skipped otherwise, so an ordinary
test run never touches the docs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def demo(e2e_db):
    if os.environ.get("CAREDESK_SCREENSHOTS") != "1":
        pytest.skip("set CAREDESK_SCREENSHOTS=1 to rewrite docs/screenshots")
    from caredesk.core.audit import Actor
    from caredesk.core.models import Agent
    from caredesk.demo import DEMO_PASSWORD, load_demo
    from caredesk.tickets.actions import add_interaction, update_ticket
    from caredesk.tickets.models import Interaction, Ticket

    load_demo()
    maria = Agent.objects.get(username="maria")
    actor = Actor.of_agent(maria)
    ticket = Ticket.objects.get(subject="Can you call me?")
    add_interaction(ticket, actor=actor, channel="phone", direction="outbound", kind="call",
                    call_outcome=Interaction.CallOutcome.ANSWERED, call_notes={
                        "caller_name": "Priya Natarajan", "call_type": "Outbound follow-up",
                        "customer_type": "Homeowner", "reason_for_call": "Asked for a call back after 5pm",
                        "actions_taken": "Confirmed her date of birth; updated the application"})
    add_interaction(ticket, actor=actor, channel="internal", direction="internal", kind="note",
                    body="Date of birth added to the application; waiting for her signed form.")
    update_ticket(ticket, actor=actor, tags=["callback"], priority=3)
    add_interaction(ticket, actor=actor, channel="email", direction="outbound", kind="message",
                    body="Hi Priya,\n\nThanks for taking my call. Please sign the attached form and reply to this "
                         "email with it.\n\nMaria")
    update_ticket(ticket, actor=actor, status="pending")
    # Under follow-up since two business days: "1/3" written, the day-3 attempt open.
    passport = Ticket.objects.get(subject="Passport application: photo rejected")
    add_interaction(passport, actor=actor, channel="email", direction="outbound", kind="message",
                    body="Hi Dana,\n\nThe passport office rejected the photo because of the shadow behind you. "
                         "Could you send us a new one taken against a plain white wall?\n\nMaria")
    from caredesk.surveys.models import Survey

    rated = Survey.objects.filter(rating="bad").select_related("ticket").first().ticket
    return {"password": DEMO_PASSWORD, "ticket": ticket, "followed": passport, "rated": rated}


def test_write_screenshots(page, demo):
    OUT.mkdir(parents=True, exist_ok=True)
    page.goto("/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(demo["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    page.screenshot(path=OUT / "my-work.png", full_page=True)

    page.goto("/views/?status=active")
    expect(page.locator("#view-results")).to_be_visible()
    page.screenshot(path=OUT / "view.png", full_page=True)

    page.goto(f"/tickets/{demo['followed'].pk}/")
    expect(page.get_by_role("button", name="Complete attempt")).to_be_visible()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)  # the panels that load after the page
    page.screenshot(path=OUT / "ticket.png", full_page=True)

    page.goto(f"/tickets/{demo['ticket'].pk}/")
    page.get_by_role("tab", name="Log a call").click()
    expect(page.locator("[aria-busy=true]")).to_have_count(0)
    page.screenshot(path=OUT / "ticket-call.png", full_page=True)

    page.goto("/tickets/new/")
    page.get_by_label("Find a customer by name, email or phone").fill("dana")
    expect(page.locator("#customer-matches")).to_contain_text("Dana Whitfield")
    page.get_by_label("Subject").fill("Walk-in: passport renewal")
    page.get_by_role("button", name="Create ticket").click()
    page.screenshot(path=OUT / "new-ticket.png", full_page=True)

    page.goto(f"/customers/{demo['followed'].requester_id}/")
    page.get_by_text("Edit details").click()
    expect(page.get_by_role("button", name="Save details")).to_be_visible()
    page.screenshot(path=OUT / "customer.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill("heather")
    page.get_by_label("Password").fill(demo["password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Follow-up compliance").click()
    expect(page.get_by_role("heading", name="Follow-up compliance")).to_be_visible()
    page.screenshot(path=OUT / "compliance.png", full_page=True)

    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Overview").click()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector("
                           "'[data-report=volume] canvas')) !== undefined")
    page.screenshot(path=OUT / "reports.png", full_page=True)
    page.locator("[data-report=volume]").screenshot(path=OUT / "report-volume.png")
    page.locator("[data-report=csat_by_agent]").screenshot(path=OUT / "report-csat.png")
    page.goto(f"/tickets/{demo['rated'].pk}/")
    expect(page.locator("#satisfaction .csat")).to_be_visible()
    page.locator("#satisfaction").screenshot(path=OUT / "ticket-satisfaction.png")
