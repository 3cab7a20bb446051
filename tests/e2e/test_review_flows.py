"""SOP 002's sensitive issues in a real browser, on the demo: the irate ticket shows the "additional review"
banner naming the qualifiers and the customer's words, the view filter finds it, and an agent clears a flag
with a reason (refused without one)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(e2e_db):
    from caredesk.demo import DEMO_PASSWORD, load_demo
    from caredesk.tickets.models import Ticket

    load_demo()
    return {"password": DEMO_PASSWORD, "irate": Ticket.objects.get(subject="Complaint: considering a BBB complaint")}


def test_the_banner_names_the_issues_and_an_agent_clears_one_with_a_reason(page, sign_in, demo):
    sign_in("maria", demo["password"])
    page.goto("/views/")
    page.get_by_label("Review").select_option("needed")
    expect(page.locator("#view-results")).to_contain_text("Complaint: considering a BBB complaint")
    expect(page.locator("#view-results")).not_to_contain_text("Passport application: photo rejected")

    page.goto(f"/tickets/{demo['irate'].pk}/")
    banner = page.locator("#review")
    expect(banner.get_by_role("heading", name="Additional review needed")).to_be_visible()
    legal = banner.locator(".review-flag", has_text="Retained or contacted a lawyer or legal counsel")
    expect(legal).to_contain_text("“lawyer”")
    expect(banner.locator(".review-flag", has_text="Better Business Bureau complaint")).to_contain_text("“BBB”")

    legal.get_by_text("Clear", exact=True).click()
    legal.get_by_role("button", name="Clear the flag Retained or contacted a lawyer or legal counsel").click()
    expect(banner).to_contain_text("Say why the ticket needs no additional review for this.")

    legal = banner.locator(".review-flag", has_text="Retained or contacted a lawyer or legal counsel")
    legal.get_by_label("Why no additional review is needed").fill("The lawyer is for her mortgage, not for us.")
    legal.get_by_role("button", name="Clear the flag Retained or contacted a lawyer or legal counsel").click()
    expect(page.get_by_role("status").filter(has_text="Cleared")).to_be_visible()
    expect(banner.locator(".review-flag")).to_have_count(1)
    expect(banner).to_contain_text("Better Business Bureau complaint")
    expect(page.locator("#timeline")).to_contain_text(
        "cleared the flag additional review: Retained or contacted a lawyer or legal counsel")
    expect(page.locator("#timeline")).to_contain_text("The lawyer is for her mortgage, not for us.")
