"""The live workspace in a real browser: pages that update by themselves, presence on a ticket, the notifications
bell, keyboard shortcuts, and each agent's own time zone on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caredesk.core import roles
from caredesk.core.audit import Actor
from tests.e2e.conftest import PASSWORD, REPORT_CSP_VIOLATIONS
from tests.e2e.test_follow_up_flows import followed_ticket  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture
def dana_ticket(maria, dana):
    from caredesk.tickets.actions import create_ticket

    return create_ticket(actor=Actor.of_agent(maria), requester=dana, subject="Passport photo rejected",
                         description="The photo did not meet the requirements.", assignee=maria)


@pytest.fixture
def sam(e2e_agent):
    return e2e_agent("sam", roles.AGENT, first_name="Sam", last_name="Ortiz")


@pytest.fixture
def other_page(browser, live_server):
    """A second agent's browser (its own cookies), held to the same Content-Security-Policy."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text) if (
        message.text.startswith("CSP violation")) else None)
    yield page
    page.goto("about:blank")
    page.wait_for_timeout(500)
    context.close()
    assert not violations, violations


def sign_in_on(page, username: str):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


# --- live updates ---------------------------------------------------------------------------------------


def test_a_customer_email_appears_on_the_open_ticket_without_a_reload(page, sign_in, dana_ticket):
    from caredesk.tickets.actions import receive_customer_message

    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    page.get_by_label("Reply to the requester").fill("A draft the refresh must keep")
    page.evaluate("window.notReloaded = true")
    receive_customer_message(dana_ticket, customer=dana_ticket.requester, channel="email",
                             body="Here is the new photo, white background.",
                             actor=Actor.customer(dana_ticket.requester.name))
    expect(page.locator("#timeline")).to_contain_text("Here is the new photo, white background.", timeout=5000)
    assert page.evaluate("window.notReloaded") is True
    expect(page.get_by_label("Reply to the requester")).to_have_value("A draft the refresh must keep")


def test_a_change_by_a_colleague_updates_the_ticket_a_view_and_my_work(page, sign_in, dana_ticket, dana, sam):
    from caredesk.tickets.actions import create_ticket, update_ticket

    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    update_ticket(dana_ticket, actor=Actor.of_agent(sam), priority=4)
    expect(page.locator("#timeline")).to_contain_text("changed the priority", timeout=5000)
    expect(page.locator("#properties select[name$=priority] option:checked")).to_have_text("Urgent")

    page.goto("/views/")
    expect(page.locator("#view-results")).to_contain_text("Passport photo rejected")
    expect(page.locator("#view-total")).to_have_text("1")
    create_ticket(actor=Actor.of_agent(sam), requester=dana, subject="Refund for the second application")
    expect(page.locator("#view-results")).to_contain_text("Refund for the second application", timeout=5000)
    expect(page.locator("#view-total")).to_have_text("2")

    page.goto("/")
    expect(page.locator("main")).not_to_contain_text("Renewal form missing")
    create_ticket(actor=Actor.of_agent(sam), requester=dana, subject="Renewal form missing",
                  assignee=dana_ticket.assignee)
    expect(page.locator("main")).to_contain_text("Renewal form missing", timeout=5000)
    expect(page.locator("#bell-count")).to_have_text("1")


# --- presence ---------------------------------------------------------------------------------------------


def test_agents_see_each_other_viewing_and_replying(page, sign_in, other_page, dana_ticket, sam, settings):
    settings.PRESENCE_SECONDS = 6  # beats every 2 seconds
    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    sign_in_on(other_page, "sam")
    other_page.goto(f"/tickets/{dana_ticket.pk}/")
    expect(other_page.locator("#presence")).to_contain_text("Maria Lopez is viewing")
    expect(page.locator("#presence")).to_contain_text("Sam Ortiz is viewing", timeout=5000)

    page.get_by_label("Reply to the requester").fill("Hi Dana,")
    expect(other_page.locator("#presence")).to_contain_text("Maria Lopez is replying", timeout=5000)

    page.goto("/")  # Maria leaves: her presence goes at once
    other_page.wait_for_timeout(2500)
    expect(other_page.locator("#presence")).not_to_contain_text("Maria Lopez", timeout=5000)


# --- notifications ----------------------------------------------------------------------------------------


def test_the_bell_counts_an_assignment_and_opens_the_ticket(page, sign_in, maria, dana, sam):
    from caredesk.notifications.actions import notify
    from caredesk.tickets.actions import create_ticket

    sign_in("maria")
    expect(page.locator("#bell-count")).to_be_hidden()
    ticket = create_ticket(actor=Actor.of_agent(sam), requester=dana, subject="Renewal form missing", assignee=maria)
    expect(page.locator("#bell-count")).to_have_text("1", timeout=5000)
    page.locator("#bell summary").click()
    panel = page.locator("#notifications")
    expect(panel).to_contain_text("Assigned to you")
    expect(panel).to_contain_text(f"Sam Ortiz assigned #{ticket.pk} “Renewal form missing” to you")
    notify([maria], "sla_warning", ticket, text="First reply due in 30 minutes")  # while the list is open
    expect(panel).to_contain_text("First reply due in 30 minutes", timeout=5000)
    expect(page.locator("#bell-count")).to_have_text("2")
    panel.get_by_role("button", name=re.compile("Renewal form missing")).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    expect(page.locator("#bell-count")).to_have_text("1")  # the SLA warning is still unread

    from caredesk.tickets.actions import receive_customer_message

    receive_customer_message(ticket, customer=dana, channel="email", body="The form is signed and attached.",
                             actor=Actor.customer(dana.name))
    expect(page.locator("#bell-count")).to_have_text("2", timeout=5000)
    page.locator("#bell summary").click()
    expect(panel).to_contain_text("The customer replied")
    expect(panel).to_contain_text(f"Dana Whitfield replied on #{ticket.pk}")


def test_a_mention_in_a_note_notifies_the_colleague(page, sign_in, other_page, dana_ticket, sam):
    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    page.get_by_role("tab", name="Internal note").click()
    page.get_by_label("Note for agents").fill("@sam can you check the photo rules?")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline .entry.note")).to_contain_text("@sam can you check")

    sign_in_on(other_page, "sam")
    expect(other_page.locator("#bell-count")).to_have_text("1")
    other_page.goto("/notifications/")
    expect(other_page.locator(".notification.unread")).to_contain_text("Maria Lopez mentioned you on")
    other_page.get_by_role("button", name="Mark all read").click()
    expect(other_page.locator(".notification.unread")).to_have_count(0)
    expect(other_page.locator("#bell-count")).to_be_hidden(timeout=5000)


# --- keyboard shortcuts -----------------------------------------------------------------------------------


def test_keyboard_shortcuts_and_their_help_overlay(page, sign_in, dana_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    page.keyboard.press("?")
    overlay = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("Ticket: write an internal note")
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()

    page.keyboard.press("n")
    expect(page.get_by_role("tab", name="Internal note")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Note for agents")).to_be_focused()
    page.keyboard.type("typed, not a shortcut: g v")
    expect(page).to_have_url(re.compile(rf"/tickets/{dana_ticket.pk}/$"))
    page.get_by_label("Note for agents").blur()
    page.keyboard.press("r")
    expect(page.get_by_label("Reply to the requester")).to_be_focused()
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("s")
    expect(page.locator("#id_prop-status-status")).to_be_focused()

    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("g")
    page.keyboard.press("v")
    expect(page).to_have_url(re.compile(r"/views/$"))
    page.keyboard.press("j")
    expect(page.get_by_role("link", name="Passport photo rejected")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tickets/{dana_ticket.pk}/$"))


# --- time zones -------------------------------------------------------------------------------------------


def test_one_time_zone_on_every_page_the_agents_own(page, sign_in, followed_ticket):  # noqa: F811
    """Main showed the Follow-up panel in the playbook's zone (EST), the timeline's due dates and every tooltip
    in UTC, and the customer page in UTC."""
    sign_in("maria")
    page.goto(f"/tickets/{followed_ticket.pk}/")
    panel = page.get_by_role("region", name="Follow-up")
    expect(panel).to_contain_text(re.compile(r"E[SD]T"))  # the team's zone by default
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(re.compile(r"E[SD]T"))
    assert "UTC" not in timeline.inner_text()
    assert all("UTC" not in (title or "") for title in timeline.locator("time").evaluate_all(
        "nodes => nodes.map(n => n.title)"))

    page.goto("/settings/")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()

    page.goto(f"/tickets/{followed_ticket.pk}/")
    expect(panel).to_contain_text("JST")
    expect(panel).not_to_contain_text(re.compile(r"E[SD]T"))
    expect(timeline).to_contain_text("JST")
    assert "UTC" not in timeline.inner_text() and "EST" not in timeline.inner_text()

    page.goto(f"/customers/{followed_ticket.requester_id}/")
    titles = page.locator("main time").evaluate_all("nodes => nodes.map(n => n.title)")
    assert titles and all(title.endswith("JST") for title in titles), titles


def test_the_compliance_report_counts_days_in_the_agents_zone_and_keeps_it(page, sign_in, e2e_agent):
    """Main defaulted the report to UTC and, after a validation error, showed Africa/Abidjan."""
    from caredesk.live.actions import set_time_zone

    lead = e2e_agent("tess", roles.TEAM_SUPERVISOR, first_name="Tess", last_name="Reyes")
    sign_in("tess")
    page.goto("/reports/compliance/")
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    expect(page.locator("#compliance-results")).to_contain_text("days in America/New_York")

    set_time_zone(lead, "Europe/Paris")
    page.goto("/reports/compliance/?since=2026-03-09&until=2026-03-01")
    expect(page.locator("#compliance-results [role=alert]")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")

    page.goto("/reports/compliance/")
    page.locator("#id_since").fill("2026-03-09")
    page.locator("#id_until").fill("2026-03-01")
    page.locator("#id_until").dispatch_event("change")
    expect(page.locator("#compliance-results [role=alert]")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")
