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
    return {"password": DEMO_PASSWORD, "ticket": ticket}


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

    page.goto(f"/tickets/{demo['ticket'].pk}/")
    page.get_by_role("tab", name="Log a call").click()
    page.screenshot(path=OUT / "ticket.png", full_page=True)

    page.goto("/tickets/new/")
    page.get_by_label("Find a customer by name, email or phone").fill("dana")
    expect(page.locator("#customer-matches")).to_contain_text("Dana Whitfield")
    page.get_by_label("Subject").fill("Walk-in: passport renewal")
    page.get_by_role("button", name="Create ticket").click()
    page.screenshot(path=OUT / "new-ticket.png", full_page=True)
