"""An agent escalates in a real browser with the console provider: never offered, agrees to wait, refuses with a
specialist answering, declining to a supervisor, nobody answering (voicemail, the Resolution Lead's callback in
My work), nobody available (straight to voicemail)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from caredesk.core import roles
from caredesk.core.audit import Actor

pytestmark = pytest.mark.e2e


@pytest.fixture
def irate_ticket(maria, dana):
    from caredesk.tickets.actions import create_ticket

    return create_ticket(actor=Actor.of_agent(maria), requester=dana, subject="I am filing a BBB complaint",
                         description="The customer is calling a lawyer.", assignee=maria)


@pytest.fixture
def team(e2e_agent):
    from caredesk.core.actions import set_presence

    def member(username, role, presence="available"):
        return set_presence(e2e_agent(username, role, skills=["Resolution Lead"]), presence)

    return {"sam": member("sam", roles.RESOLUTION_SPECIALIST), "tess": member("tess", roles.TEAM_SUPERVISOR),
            "lee": member("lee", roles.RESOLUTION_LEAD, presence="offline")}


def panel(page):
    return page.locator("#escalation")


def ask_and_refuse(page, sign_in, ticket):
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    expect(panel(page).get_by_role("button", name="Customer refuses to wait")).to_have_count(0)
    panel(page).get_by_label("What they said").fill("Get me a manager")
    panel(page).get_by_role("button", name="Customer asked to escalate").click()
    panel(page).get_by_role("button", name="Customer refuses to wait").click()
    expect(panel(page).get_by_role("note")).to_contain_text("if no one is available you will be prompted to leave a voicemail")


def switch_to(page, sign_in, username, ticket):
    page.get_by_role("button", name="Sign out").click()
    sign_in(username)
    page.goto(f"/tickets/{ticket.pk}/")


def test_escalation_is_never_offered_and_agreeing_to_wait_plans_the_update(page, sign_in, irate_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{irate_ticket.pk}/")
    expect(panel(page).get_by_role("button", name="Customer asked to escalate")).to_be_visible()
    expect(page.get_by_role("button", name="Customer agrees to wait")).to_have_count(0)
    panel(page).get_by_role("button", name="Customer asked to escalate").click()
    panel(page).get_by_role("button", name="Customer agrees to wait").click()
    expect(panel(page)).to_contain_text("update within 1 business day")
    expect(page.locator("#follow-up")).to_contain_text("Review the concern and contact the customer with an update")
    expect(page.locator("#timeline")).to_contain_text("the customer agreed to wait")


def test_refused_and_a_specialist_answers_and_accepts(page, sign_in, irate_ticket, team):
    ask_and_refuse(page, sign_in, irate_ticket)
    expect(panel(page).locator(".transfer-live")).to_contain_text("ringing Resolution Specialist sam")
    expect(panel(page).locator(".seconds-left")).to_contain_text("seconds left")
    switch_to(page, sign_in, "sam", irate_ticket)
    panel(page).get_by_role("button", name="Answer the transfer").click()
    panel(page).get_by_role("button", name="Accept the handling").click()
    expect(panel(page)).to_contain_text("Transferred to sam")


def test_a_specialist_declines_and_the_supervisor_answers(page, sign_in, irate_ticket, team):
    ask_and_refuse(page, sign_in, irate_ticket)
    switch_to(page, sign_in, "sam", irate_ticket)
    panel(page).get_by_role("button", name="Answer the transfer").click()
    panel(page).get_by_label("Why not").fill("Needs a supervisor")
    panel(page).get_by_role("button", name="Decline").click()
    expect(panel(page).locator(".transfer-live")).to_contain_text("ringing Team Supervisor tess")
    switch_to(page, sign_in, "tess", irate_ticket)
    expect(page.locator("#my-escalations")).to_have_count(0)
    panel(page).get_by_role("button", name="Answer the transfer").click()
    panel(page).get_by_role("button", name="Accept the handling").click()
    expect(panel(page)).to_contain_text("Transferred to tess")


def test_nobody_answers_then_the_resolution_lead_calls_back(page, sign_in, irate_ticket, team):
    from caredesk.core import clock
    from caredesk.escalations.actions import sweep_due

    ask_and_refuse(page, sign_in, irate_ticket)
    for _ in range(2):  # the worker's sweep, 31 seconds later each time
        with clock.frozen_at(clock.now() + timedelta(seconds=31 * (_ + 1))):
            sweep_due()
    expect(panel(page)).to_contain_text("Call back the escalated customer who left a voicemail")  # polled
    page.get_by_role("button", name="Sign out").click()
    sign_in("lee")
    my_work = page.locator("#my-escalations")
    expect(my_work).to_contain_text("Call back the escalated customer who left a voicemail")
    expect(my_work).to_contain_text("· due")  # the voicemail's callback is a follow-up task with a due time
    my_work.get_by_role("link", name=f"#{irate_ticket.pk}").click()
    expect(panel(page).locator(".callback-due")).to_contain_text("overdue")
    panel(page).get_by_label("Call notes").fill("Called back; concern resolved.")
    panel(page).get_by_role("button", name="Called back").click()
    expect(panel(page)).to_contain_text("lee called the customer back")
    from caredesk.playbooks.models import FollowUpTask

    callback = FollowUpTask.objects.get(ticket=irate_ticket, run__definition__name="escalation_voicemail_callback")
    assert (callback.status, callback.reached, callback.completed_by.username) == ("done", True, "lee")


def test_nobody_available_goes_straight_to_voicemail(page, sign_in, irate_ticket, team):
    from caredesk.core.actions import set_presence

    set_presence(team["sam"], "busy")
    set_presence(team["tess"], "offline")
    ask_and_refuse(page, sign_in, irate_ticket)
    expect(panel(page)).to_contain_text("Nobody took the transfer")
    expect(page.locator("#timeline")).to_contain_text("no Resolution Specialist available")


def test_an_agent_sets_themselves_available(page, sign_in, maria):
    sign_in("maria")
    page.get_by_role("button", name="Set me available").click()
    expect(page.locator("#my-escalations .presence-now")).to_have_text("available")
    page.get_by_role("button", name="Set me away").click()
    expect(page.locator("#my-escalations .presence-now")).to_have_text("away")


def test_on_the_demo_the_specialist_takes_the_ringing_transfer_and_the_lead_sees_the_voicemail(page, sign_in, e2e_db):
    from caredesk.demo import DEMO_PASSWORD, load_demo
    from caredesk.tickets.models import Ticket

    load_demo()
    ringing = Ticket.objects.get(subject="Irate about the interview date: wants leadership")
    sign_in("rs", DEMO_PASSWORD)
    my_work = page.locator("#my-escalations")
    expect(my_work).to_contain_text("Resolution Specialist transfer ringing you")
    my_work.get_by_role("link", name=f"#{ringing.pk}").click()
    panel(page).get_by_role("button", name="Answer the transfer").click()
    panel(page).get_by_role("button", name="Accept the handling").click()
    expect(panel(page)).to_contain_text("Transferred to rs")
    page.get_by_role("button", name="Sign out").click()
    sign_in("lead", DEMO_PASSWORD)
    expect(page.locator("#my-escalations")).to_contain_text("Call back the escalated customer who left a voicemail")
