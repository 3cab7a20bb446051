"""An agent's shift in a real browser: sign in, create, reply, note, log a call, change fields, views, search."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from caredesk.core import roles
from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e


@pytest.fixture
def dana_ticket(maria, dana):
    from caredesk.tickets.actions import create_ticket

    actor = Actor.of_agent(maria)
    return create_ticket(actor=actor, requester=dana, subject="Passport photo rejected",
                         description="The photo did not meet the requirements.", assignee=maria)


def test_sign_in_and_out(page, sign_in, maria):
    sign_in("maria")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Views")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to caredesk")).to_be_visible()


def test_wrong_password_then_lockout(page, sign_in, maria, settings):
    sign_in("maria", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("maria", "wrong-password")
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()
    sign_in("maria")  # even the right password is refused while locked
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()


def test_create_a_ticket_for_a_new_customer(page, sign_in, maria):
    sign_in("maria")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New ticket").click()
    page.get_by_role("button", name="Create ticket").click()
    expect(page.locator("#id_subject_error")).to_have_text(re.compile("needs a subject"))
    expect(page.locator("#id_new_name_error")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Ana Ruiz")
    page.get_by_label("Phone", exact=True).fill("(212) 555-0144")
    page.get_by_label("Subject").fill("Walk-in: passport renewal")
    page.get_by_label("Description").fill("Wants to renew before travelling in May.")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Tags").fill("walk-in")
    page.locator("#id_documents").set_input_files(
        files=[{"name": "old-passport.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}])
    page.get_by_role("button", name="Create ticket").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Walk-in: passport renewal")
    expect(page.get_by_role("complementary", name="Requester")).to_contain_text("Ana Ruiz")
    expect(page.get_by_role("complementary", name="Requester")).to_contain_text("+1 212-555-0144")
    expect(page.get_by_role("link", name="old-passport.pdf").first).to_be_visible()


def test_create_a_ticket_for_a_customer_found_by_phone(page, sign_in, dana_ticket):
    sign_in("maria")
    page.goto("/tickets/new/")
    page.get_by_label("Find a customer by name, email or phone").fill("415 555 0132")
    page.get_by_role("button", name=re.compile("Dana Whitfield")).click()
    page.get_by_label("Subject").fill("Called about the new photo")
    page.get_by_label("Description").fill("Asked where to send it.")
    page.get_by_role("button", name="Create ticket").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Called about the new photo")
    expect(page.get_by_role("complementary", name="Requester")).to_contain_text("dana@example.com")


def test_reply_and_internal_note(page, sign_in, dana_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    page.get_by_label("Reply to the requester").fill("Hi Dana, please send a new photo with a white background.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status").filter(has_text="Reply sent.")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("please send a new photo with a white background")
    expect(timeline).to_contain_text("public reply by email")

    page.get_by_role("tab", name="Internal note").click()
    page.get_by_label("Note for agents").fill("Checked the photo guidelines with the back office.")
    page.get_by_label("Note for agents").press("Control+Enter")
    expect(page.locator("#timeline .entry.note")).to_contain_text("Checked the photo guidelines")


def test_composer_tabs_work_from_the_keyboard(page, sign_in, dana_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    page.get_by_role("tab", name="Public reply").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Internal note")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Internal note")).to_be_visible()
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="Log a text")).to_be_focused()


def test_log_a_call_requires_the_call_notes(page, sign_in, dana_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    page.get_by_role("tab", name="Log a call").click()
    panel = page.get_by_role("tabpanel", name="Log a call")
    panel.get_by_label("Outcome").select_option(label="No answer")
    panel.get_by_label("Call Type").fill("Outbound follow-up")
    panel.get_by_label("Customer Type").fill("Homeowner")
    panel.get_by_label("Actions Taken").fill("Left a voicemail asking for a new photo.")
    panel.get_by_role("button", name="Log call").click()
    error = page.locator("#id_call-reason_for_call_error")
    expect(error).to_have_text(re.compile("reason for the call"))
    expect(page.get_by_label("Reason for Call")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Reason for Call")).to_be_focused()
    expect(page.locator("#timeline .entry.call")).to_have_count(0)

    page.get_by_label("Reason for Call").fill("Photo rejected; need a new one")
    page.get_by_role("tabpanel", name="Log a call").get_by_label("Then set status").select_option(label="Pending")
    page.get_by_role("button", name="Log call").click()
    call = page.locator("#timeline .entry.call")
    expect(call).to_contain_text("No answer")
    expect(call.locator("dl.call-notes")).to_contain_text("Photo rejected; need a new one")
    expect(call.locator("dl.call-notes")).to_contain_text("Dana Whitfield")
    expect(page.locator("#ticket-head .status")).to_have_text("Pending")


def test_canned_response_inserts_into_the_composer(page, sign_in, dana_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    page.get_by_role("tab", name="Internal note").click()
    page.locator("#canned-note").select_option(label="Call Notes")
    expect(page.get_by_label("Note for agents")).to_have_value(re.compile(r"^Caller Name:\nCall Type:"))


def test_change_status_and_assignee_in_place(page, sign_in, dana_ticket, e2e_agent):
    e2e_agent("devon", first_name="Devon", last_name="Price")
    sign_in("maria")
    page.goto(f"/tickets/{dana_ticket.pk}/")
    props = page.get_by_role("complementary", name="Ticket properties")
    props.get_by_label("Status").select_option(label="Open")
    expect(props.get_by_role("status")).to_have_text(re.compile("Saved"))
    expect(page.locator("#ticket-head .status")).to_have_text("Open")
    props.get_by_label("Assignee").select_option(label="Devon Price")
    expect(props.get_by_label("Assignee")).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#timeline")).to_contain_text("changed the assignee from Maria Lopez to Devon Price")
    expect(page.locator("#timeline")).to_contain_text("changed the status from new to open")
    page.reload()
    expect(page.get_by_role("complementary", name="Ticket properties").get_by_label("Assignee")) \
        .to_have_value(_agent_id("devon"))


def _agent_id(username: str) -> str:
    from caredesk.core.models import Agent

    return str(Agent.objects.get(username=username).pk)


def test_filter_a_view(page, sign_in, dana_ticket, maria):
    from caredesk.tickets.actions import create_ticket

    create_ticket(actor=Actor.of_agent(maria), requester=dana_ticket.requester, subject="Urgent: lost passport",
                  priority=4, tags=["lost"])
    sign_in("maria")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Views").click()
    results = page.locator("#view-results")
    expect(results).to_contain_text("Passport photo rejected")
    page.get_by_label("Priority").select_option(label="Urgent")
    expect(results).not_to_contain_text("Passport photo rejected")
    expect(results).to_contain_text("Urgent: lost passport")
    expect(page).to_have_url(re.compile(r"priority=4"))
    page.get_by_role("navigation", name="Views").get_by_role("link", name=re.compile("Waiting on the customer")).click()
    expect(results).to_contain_text("No tickets match these filters.")
    page.get_by_text("Save these filters as a view").click()
    page.get_by_label("View name").fill("Waiting")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_role("navigation", name="Views").get_by_role("link", name=re.compile("Waiting 0"))).to_be_visible()


def test_search(page, sign_in, dana_ticket):
    sign_in("maria")
    search = page.get_by_label("Search tickets and customers")
    search.fill("dana@example.com")
    search.press("Enter")
    expect(page.get_by_role("region", name=re.compile("Results"))).to_contain_text("Dana Whitfield")
    expect(page.get_by_role("region", name=re.compile("Results"))).to_contain_text("Passport photo rejected")
    search = page.get_by_label("Search tickets and customers")
    search.fill(f"#{dana_ticket.pk}")
    search.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Passport photo rejected")


def test_a_role_without_configure_never_sees_the_admin(page, sign_in, e2e_agent):
    e2e_agent("bo", roles.BACK_OFFICE, first_name="Bo")
    sign_in("bo")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")).to_have_count(0)
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_an_admin_sees_the_admin_link(page, sign_in, e2e_agent):
    e2e_agent("root", roles.ADMIN)
    sign_in("root")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page).to_have_url(re.compile("/admin/$"))
