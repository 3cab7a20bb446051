"""Search in a real browser (issue 14): from the workspace box, a phone number written in a message is found
by its digits with the number highlighted; a filter narrows the hits; a hit opens its ticket."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e


@pytest.fixture
def tickets(maria, dana):
    from caredesk.tickets import use_cases
    from caredesk.tickets.actions import update_ticket

    actor = Actor.of_agent(maria)
    callback = use_cases.open_ticket(actor=actor, requester=dana, subject="Call me about my renewal",
                                     description="Renewal questions.")
    use_cases.log_customer_message(callback, actor=actor, channel="email",
                                   body="Best number to reach me is (628) 555-0147 after 5pm.")
    other = use_cases.open_ticket(actor=actor, requester=dana, subject="Renewal fee refund",
                                  description="The renewal fee was charged twice.")
    update_ticket(other, actor=actor, status="open")
    return callback, other


def test_search_from_the_box_and_open_a_result(page, sign_in, tickets):
    callback, other = tickets
    sign_in("maria")
    box = page.get_by_label("Search tickets and customers")
    box.fill("6285550147")
    box.press("Enter")
    results = page.get_by_role("region", name=re.compile("Results"))
    expect(results.locator("mark")).to_have_text("(628) 555-0147")
    expect(results).not_to_contain_text("Renewal fee refund")

    page.get_by_label("Search tickets and customers").fill("renewal")
    page.get_by_label("Search tickets and customers").press("Enter")
    expect(results.get_by_role("link", name=re.compile("Renewal fee refund"))).to_be_visible()
    expect(results.get_by_role("link", name=re.compile("Call me about my renewal"))).to_be_visible()
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(results.get_by_role("link", name=re.compile("Call me about my renewal"))).to_have_count(0)
    results.get_by_role("link", name=re.compile("Renewal fee refund")).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{other.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Renewal fee refund")
