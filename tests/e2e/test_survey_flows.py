"""The CSAT survey end to end: a ticket is solved, the test clock moves 24 hours, the worker's sweep queues the
survey and the outbox delivers it over SMTP to a real receiver; opening its link in Chromium shows the rating
pre-selected and records nothing until the form is submitted; submitting records one rating (a second one
changes it); an expired or tampered link is refused with a clear page. Then the agent's side: the ticket page
shows the rating, and the Care Clarifications Form is refused on an open ticket and filed on a solved one."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from caredesk.channels import outbox
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.surveys import actions as survey_actions
from caredesk.surveys.models import Survey
from caredesk.tickets.actions import create_ticket, update_ticket
from caredesk.tickets.models import TicketEvent
from tests.e2e.channel_peers import peer_smtp_server
from tests.integration.helpers import record_resolution

pytestmark = pytest.mark.e2e
LINK = re.compile(r"https?://\S+/survey/\S+/")


def solve_and_survey(agent, customer, *, solved_at, subject: str, peer_port: int, settings) -> tuple[Survey, str]:
    """Solve a ticket at `solved_at`, move the clock 24 hours, sweep and deliver: the email as received."""
    settings.SMTP_HOST, settings.SMTP_PORT, settings.SMTP_SECURITY = "127.0.0.1", peer_port, "none"
    with clock.frozen_at(solved_at):
        ticket = create_ticket(actor=Actor.of_agent(agent), requester=customer, subject=subject, assignee=agent)
        record_resolution(ticket, Actor.of_agent(agent))
        update_ticket(ticket, actor=Actor.of_agent(agent), status="solved")
        clock.advance(timedelta(hours=23))
        assert survey_actions.send_due() == 0  # not due yet
        clock.advance(timedelta(hours=1))
        assert survey_actions.send_due() == 1
        assert outbox.deliver_due() == 2  # the CSAT survey, and the NPS question the customer was never asked
    return Survey.objects.get(ticket=ticket), ticket


def received_text(peer, subject: str = "How did we do?") -> tuple[list[str], str]:
    """The recipients and text of the received email whose subject has `subject`."""
    for _, recipients, raw in peer.messages:
        message = message_from_bytes(raw, policy=policy.default)
        if subject in message["Subject"]:
            return recipients, message.get_body(("plain",)).get_content()
    raise AssertionError(f"no email about {subject!r} in {len(peer.messages)} received")


@pytest.fixture
def survey_settings(settings, live_server):
    settings.PUBLIC_URL = live_server.url
    settings.EMAIL_ADDRESS = "support@example.com"
    return settings


def test_the_survey_link_records_only_the_submitted_form(page, maria, dana, survey_settings):
    with peer_smtp_server() as (peer_port, peer):
        survey, ticket = solve_and_survey(maria, dana, solved_at=clock.now(), subject="Passport photo",
                                          peer_port=peer_port, settings=survey_settings)
        recipients, text = received_text(peer)
    assert recipients == ["dana@example.com"] and "How would you rate the support" in text
    good_link, bad_link = LINK.findall(text)[:2]

    page.goto(bad_link)  # what a mail scanner does, then the customer
    expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
    expect(page.get_by_label("Bad, I'm unsatisfied")).to_be_checked()
    survey.refresh_from_db()
    assert survey.rating == "" and not TicketEvent.objects.filter(action="survey.rated").exists()

    page.get_by_role("button", name="Send my answer").click()  # bad without a reason: said beside the field
    expect(page.get_by_role("alert")).to_contain_text("choose a reason")
    page.get_by_label("If bad: what went wrong?").select_option(label="It took too long")
    page.get_by_label("Anything you would like to add?").fill("Three emails before an answer.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    survey.refresh_from_db()
    assert (survey.rating, survey.reason.name, survey.comment) == ("bad", "It took too long",
                                                                   "Three emails before an answer.")
    assert TicketEvent.objects.filter(action="survey.rated").count() == 1

    page.goto(good_link)  # a second answer changes the first, while the link is valid
    expect(page.get_by_label("Good, I'm satisfied")).to_be_checked()
    expect(page.locator(".survey-current")).to_contain_text("You rated it Bad")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_contain_text("Good")
    assert Survey.objects.filter(ticket=ticket).get().rating == "good"

    tampered = good_link.replace("/survey/", "/survey/x")
    page.goto(tampered)
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    assert Survey.objects.get(pk=survey.pk).rating == "good"


def test_an_expired_link_is_refused_with_a_clear_page(page, maria, dana, survey_settings):
    with peer_smtp_server() as (peer_port, peer):
        survey, _ = solve_and_survey(maria, dana, solved_at=clock.now() - timedelta(days=30),
                                     subject="Old request", peer_port=peer_port, settings=survey_settings)
        _, text = received_text(peer)
    page.goto(LINK.findall(text)[0])
    expect(page.get_by_role("heading", name="This survey has closed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("valid until")
    survey.refresh_from_db()
    assert survey.rating == ""


def test_the_ticket_page_shows_csat_and_files_a_clarification(page, sign_in, maria, dana):
    from caredesk.clarifications.models import Clarification

    actor = Actor.of_agent(maria)
    ticket = create_ticket(actor=actor, requester=dana, subject="Website footer", assignee=maria)
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    expect(page.locator(".clarification-refusal")).to_contain_text("RESOLVED tickets only")
    record_resolution(ticket, actor)
    update_ticket(ticket, actor=actor, status="solved")
    page.goto(f"/tickets/{ticket.pk}/")
    panel = page.locator("#satisfaction")
    expect(panel).to_contain_text("Survey due")
    category = panel.locator("select[name=category]")
    assert category.locator("option").all_inner_texts() == ["Choose a category", "Builder/Agent Feedback",
                                                            "Care Clarification"]
    category.select_option(label="Care Clarification")
    panel.get_by_label("Sub-category").select_option(label="Content change after delivery")
    panel.get_by_label("What needed clarifying").fill("The customer wanted the footer text changed.")
    panel.get_by_role("button", name="File the clarification").click()
    expect(page.locator("#satisfaction")).to_contain_text("Clarification recorded.")
    expect(page.locator(".clarifications")).to_contain_text("Content change after delivery")
    assert Clarification.objects.get().ticket == ticket
