"""The admin site works under the Content-Security-Policy (the page fixture fails on any violation), and what
an admin changes there is in the configuration history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caredesk.core import roles
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_an_admin_browses_and_edits_in_the_admin_site(page, e2e_agent):
    e2e_agent("root", role=roles.ADMIN)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto("/admin/tickets/group/add/")
    page.locator("#id_name").press_sequentially("Billing Escalations")  # the admin's script fills the key
    expect(page.locator("#id_key")).to_have_value("billing-escalations")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("Billing Escalations")
    page.goto("/admin/tickets/cannedresponse/")  # shown here, edited in the workspace
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result_list, p.paginator").first).to_be_visible()
    page.goto("/admin/core/configurationevent/")
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("configuration.created")
    expect(row).to_contain_text("Billing Escalations")
