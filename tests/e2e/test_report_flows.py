"""The Reports area in a real browser: a Team Supervisor filters the reports and sees each chart drawn by the
vendored Chart.js with its table beside it and a CSV export; an Agent sees only their own figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from caredesk.analytics.actions import refresh_due
from caredesk.core import clock, roles
from caredesk.core.audit import Actor
from caredesk.tickets.actions import add_interaction, create_ticket, update_ticket
from tests.integration.helpers import record_resolution

pytestmark = pytest.mark.e2e


@pytest.fixture
def worked(maria, dana, e2e_agent):
    """Tickets of Maria and of Lee, created and solved over the last days."""
    lee = e2e_agent("lee", first_name="Lee")
    start = clock.now() - timedelta(days=3)
    with clock.frozen_at(start):
        for index, (agent, tags) in enumerate([(maria, ["passport"]), (maria, ["passport", "photo"]),
                                               (lee, ["refund"])]):
            ticket = create_ticket(actor=Actor.of_agent(agent), requester=dana, subject=f"Request {index}",
                                   assignee=agent, tags=tags)
            clock.advance(timedelta(hours=3))
            add_interaction(ticket, actor=Actor.of_agent(agent), channel="email", direction="outbound",
                            kind="message", body="Here is the answer.")
            record_resolution(ticket, Actor.of_agent(agent))
            update_ticket(ticket, actor=Actor.of_agent(agent), status="solved")
    refresh_due()
    return {"maria": maria, "lee": lee}


def test_a_supervisor_reads_charts_with_tables_and_exports_csv(page, sign_in, worked, e2e_agent):
    e2e_agent("tess", roles.TEAM_SUPERVISOR, first_name="Tess")
    sign_in("tess")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    volume = page.locator("[data-report=volume]")
    expect(volume.get_by_role("img", name="Chart: Tickets created, solved and reopened")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector("
                           "'[data-report=volume] canvas')) !== undefined")
    expect(volume.get_by_role("columnheader", name="created")).to_be_visible()
    tags = page.locator("[data-report=tags]")
    expect(tags.get_by_role("row", name="passport 2", exact=False)).to_be_visible()
    with page.expect_download() as download:
        volume.get_by_role("link", name="CSV").click()
    content = open(download.value.path(), encoding="utf-8").read()
    assert content.splitlines()[0] == "day,created,solved,reopened"
    assert sum(int(line.split(",")[1]) for line in content.splitlines()[1:]) == 3

    page.get_by_label("Agent", exact=True).select_option(label="Lee")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-report=tags]").get_by_role("cell", name="refund")).to_be_visible()
    expect(page.locator("[data-report=tags]").get_by_role("cell", name="passport")).to_have_count(0)


def test_an_agent_sees_only_their_own_figures(page, sign_in, worked):
    sign_in("lee")
    page.goto("/reports/")
    expect(page.get_by_text("Your own figures")).to_be_visible()
    expect(page.get_by_label("Agent", exact=True)).to_have_count(0)
    tags = page.locator("[data-report=tags]")
    expect(tags.get_by_role("cell", name="refund")).to_be_visible()
    expect(tags.get_by_role("cell", name="passport")).to_have_count(0)
