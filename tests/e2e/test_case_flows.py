"""SOP 003's cases in a real browser: an agent opens a case from an escalated ticket and cannot save it without
each required field; the documentation request goes out, the customer's emailed reply with documents reaches
Back Office, who attaches them; a specialist rejects the assignment and the owner closes it as "Case Voided"; a
customer who refuses documentation yields a case assigned to a Resolution Lead."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from caredesk.core import roles
from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e
CASE_LINK = re.compile(r"^Case \d+$")

REQUIRED = [  # (label, how to fill it) in the form's order
    ("Primary reason", lambda field: field.select_option(label="Installation concern")),
    ("Case description", lambda field: field.fill("The homeowner says the panels were never connected.")),
    ("The installer's or sales rep's point of view", lambda field: field.fill("The installer says it was done.")),
    ("The recording or interaction it comes from", lambda field: field.select_option(index=1)),
    ("What type of escalated concern it is", lambda field: field.fill("Installation quality")),
    ("What red flags did you see", lambda field: field.fill("The dates disagree.")),
    ("What other items raised concern?", lambda field: field.fill("A second order.")),
    ("Does the voice in the welcome call match", lambda field: field.select_option(label="Yes")),
    ("Was the Certificate of Completion reviewed?", lambda field: field.select_option(label="No")),
]

# The fields the form names in turn: REQUIRED's, then the documentation's choice.
FIELDS = ["primary_reason", "description", "installer_point_of_view", "interaction", "concern_type", "red_flags",
          "other_concerns", "welcome_call_voice_matches", "certificate_of_completion_reviewed", "documentation"]


@pytest.fixture
def escalated(maria, dana):
    from caredesk.escalations import actions as escalation_actions
    from caredesk.tickets import actions as ticket_actions

    actor = Actor.of_agent(maria)
    ticket = ticket_actions.create_ticket(actor=actor, requester=dana, subject="My panels do not work",
                                          assignee=maria)
    ticket_actions.add_interaction(ticket, actor=actor, channel="phone", direction="inbound", kind="call",
                                   call_outcome="answered", body="The homeowner called, upset.")
    escalation_actions.record_request(ticket, agent=maria, reason="I want to speak with leadership")
    return ticket


@pytest.fixture
def team(e2e_agent):
    return {"sam": e2e_agent("sam", roles.RESOLUTION_SPECIALIST, first_name="Sam"),
            "lee": e2e_agent("lee", roles.RESOLUTION_LEAD, first_name="Lee"),
            "bo": e2e_agent("bo", roles.BACK_OFFICE)}


def open_form(page, sign_in, ticket):
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    page.locator("#escalation").get_by_role("link", name="Open a case").click()
    expect(page.get_by_role("heading", name="Open a case")).to_be_visible()


def fill_all(page, documentation: str):
    for label, fill in REQUIRED:
        fill(page.get_by_label(label))
    page.get_by_label("Documentation", exact=True).select_option(label=documentation)


def switch_to(page, sign_in, username):
    page.get_by_role("button", name="Sign out").click()
    sign_in(username)


def test_each_required_field_is_asked_for(page, sign_in, escalated, team):
    open_form(page, sign_in, escalated)
    for position, field in enumerate(FIELDS):  # one more field each time: the form names the next missing one
        for label, fill in REQUIRED[:position]:
            fill(page.get_by_label(label))
        page.get_by_role("button", name="Save the case").click()
        expect(page.get_by_role("alert")).to_have_attribute("data-field", field)
    fill_all(page, "Not needed")
    page.get_by_role("button", name="Save the case").click()
    expect(page.locator(".case-status")).to_contain_text("Open")


def test_documentation_request_back_office_reject_and_case_voided(page, sign_in, escalated, team):
    from caredesk.channels import actions as channel_actions
    from caredesk.channels import inbound
    from caredesk.channels.models import OutboundMessage

    open_form(page, sign_in, escalated)
    fill_all(page, "Requested from the homeowner")
    page.get_by_label("Requested: the documentation the email asks for").fill("Your signed contract")
    page.get_by_role("button", name="Save the case").click()
    expect(page.locator(".case-status")).to_contain_text("Waiting on documentation")

    request = OutboundMessage.objects.get(ticket=escalated)
    assert "Your signed contract" in request.body
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = "dana@example.com", request.reply_to, f"Re: {request.subject}"
    reply["Message-ID"], reply["In-Reply-To"] = "<reply-1@example.com>", request.message_id
    reply.set_content("Here is my contract.")
    reply.add_attachment(b"%PDF-1.4 contract", maintype="application", subtype="pdf", filename="contract.pdf")
    stored = channel_actions.store_inbound(reply.as_bytes(), source="smtp", envelope_sender="dana@example.com")
    inbound.process_inbound(stored.pk)
    assert escalated.attachments.get().filename == "contract.pdf"  # the reply landed on the ticket

    switch_to(page, sign_in, "bo")
    page.goto("/cases/?queue=documentation_received")
    page.get_by_role("link", name=CASE_LINK).click()
    page.get_by_label("contract.pdf").check()
    page.get_by_role("button", name="Attach and move on").click()
    expect(page.locator(".case-documents")).to_contain_text("contract.pdf")
    expect(page.locator(".case-status")).to_contain_text("Open")
    case_url = page.url

    switch_to(page, sign_in, "maria")
    page.goto(case_url)
    page.get_by_label("Resolution Specialist").select_option(label="Sam")
    page.get_by_role("button", name="Assign").click()
    switch_to(page, sign_in, "sam")
    page.goto("/cases/?queue=offered_to_me")
    page.get_by_role("link", name=CASE_LINK).click()
    page.locator("#reject-reason").fill("Not a specialist matter")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator(".assignment")).to_contain_text("Rejected")

    switch_to(page, sign_in, "maria")
    page.goto(case_url)
    expect(page.get_by_label("Closed reason")).to_have_value("Case Voided")
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator(".closed-reason")).to_have_text("Case Voided")
    switch_to(page, sign_in, "lee")
    page.goto("/cases/?queue=voided")
    expect(page.locator(".voided-report")).to_contain_text("Not a specialist matter")


def test_a_refusal_is_assigned_to_the_resolution_lead(page, sign_in, escalated, team):
    open_form(page, sign_in, escalated)
    fill_all(page, "The homeowner refused to provide it")
    page.get_by_label("Refused: the Resolution Lead the case is assigned to").select_option(label="Lee")
    page.get_by_role("button", name="Save the case").click()
    expect(page.locator(".case-status")).to_contain_text("Assigned")
    expect(page.locator(".assignment")).to_contain_text("Lee")
