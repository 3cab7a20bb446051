"""An agent maintains a customer's record on the customer page in a real browser: details, an order (the
duplicate reference refused first), a contact point removed, and the history that records each change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e


@pytest.fixture
def passport_order(maria, dana):
    from caredesk.customers.actions import create_order
    from caredesk.customers.models import Industry

    return create_order(actor=Actor.of_agent(maria), customer=dana, external_reference="PP-1001",
                        industry=Industry.objects.get(key="us_passport"), status="Processing")


def test_edit_details_add_an_order_and_remove_a_contact_point(page, sign_in, dana, passport_order):
    sign_in("maria")
    page.goto(f"/customers/{dana.pk}/")
    details = page.locator("#customer-details")
    history = page.get_by_role("region", name="History")

    details.get_by_text("Edit details").click()
    details.get_by_label("Name").fill("")
    details.get_by_role("button", name="Save details").click()
    expect(page.locator("#id_details-name_error")).to_have_text(re.compile("needs a name"))
    details.get_by_label("Name").fill("Dana W. Whitfield")
    details.get_by_label("Customer type").select_option(label="Homeowner")
    details.get_by_label("Importance").select_option(label="VIP")
    details.get_by_label("Preferred channel").select_option(label="Text message")
    details.get_by_role("button", name="Save details").click()
    expect(details.get_by_role("status")).to_have_text("Details saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Dana W\. Whitfield\s+VIP"))
    expect(details).to_contain_text("Homeowner · prefers text message")
    expect(history).to_contain_text("changed the importance")

    orders = page.get_by_role("region", name="Orders")
    orders.get_by_label("External reference").fill("PP-1001")
    orders.get_by_role("button", name="Add order").click()
    expect(page.locator("#id_new-order-external_reference_error")).to_have_text("Order PP-1001 already exists.")
    orders.get_by_label("External reference").fill("EIN-2002")
    orders.get_by_label("Industry", exact=True).select_option(label="EIN")
    orders.get_by_label("Status", exact=True).fill("Awaiting documents")
    orders.get_by_role("button", name="Add order").click()
    expect(orders.get_by_role("status")).to_have_text("Order EIN-2002 added.")
    expect(orders.get_by_role("row", name=re.compile("EIN-2002"))).to_be_visible()
    expect(orders.get_by_label("Status of EIN-2002")).to_have_value("Awaiting documents")
    orders.get_by_label("Status of PP-1001").fill("Shipped")
    orders.get_by_role("button", name="Save order PP-1001").click()
    expect(orders.get_by_role("status")).to_have_text("Order PP-1001 saved.")
    expect(history).to_contain_text("added the order EIN-2002")

    contacts = page.get_by_role("region", name="Contact points")
    page.once("dialog", lambda dialog: dialog.accept())
    contacts.get_by_role("button", name="Remove +1 415-555-0132").click()
    expect(contacts.get_by_role("status")).to_have_text("Removed +1 415-555-0132.")
    expect(contacts.get_by_role("list")).not_to_contain_text("415-555-0132")
    expect(contacts.get_by_role("list")).to_contain_text("dana@example.com")
    expect(history).to_contain_text("removed the phone")

    page.reload()  # everything is on record, not only on screen
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dana W. Whitfield")
    expect(page.get_by_role("region", name="Orders").get_by_label("Status of PP-1001")).to_have_value("Shipped")
    expect(page.get_by_role("region", name="Contact points")).not_to_contain_text("415-555-0132")
    rows = page.get_by_role("region", name="History").get_by_role("row")
    expect(rows.nth(1)).to_contain_text("removed the phone")
    expect(page.get_by_role("region", name="History")).to_contain_text("from Processing to Shipped")
