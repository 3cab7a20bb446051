"""The workspace's second pass (issue 15) in a real browser: the fixes (last step done, the timeline's order,
Then set status on notes, the compliance report's words, the 404 and 500 pages and the icon, a phone-wide
screen) and what agents reach for (an order linked from the workspace, a reply ticking the attempt's email
box, canned responses per composer tab edited by a supervisor, macros, bulk changes, merging, assign to me,
round robin)."""

from __future__ import annotations

import re

import pytest
from django.urls import include, path
from playwright.sync_api import expect

from caredesk.core import roles
from caredesk.core.audit import Actor
from tests.integration.helpers import record_resolution

pytestmark = pytest.mark.e2e


@pytest.fixture
def order(maria, dana):
    from caredesk.customers.actions import create_order
    from caredesk.customers.models import Industry

    return create_order(actor=Actor.of_agent(maria), customer=dana, external_reference="ORD-20410",
                        industry=Industry.objects.get(key="us_passport"), status="Photo rejected")


@pytest.fixture
def followed_ticket(maria, dana, order):
    """Dana's general inquiry with her order, set pending: the general follow-up plans its day-1 attempt."""
    from caredesk.tickets.actions import create_ticket, update_ticket
    from caredesk.tickets.models import TicketType

    actor = Actor.of_agent(maria)
    ticket = create_ticket(actor=actor, requester=dana, subject="Passport application: photo rejected",
                           description="Your photo did not meet the requirements.", assignee=maria, order=order,
                           ticket_type=TicketType.objects.get(key="general_inquiry"))
    update_ticket(ticket, actor=actor, status="pending")
    return ticket


def _new_ticket_for_dana(page, subject: str, description: str) -> None:
    """The New ticket form with Dana found by name and the subject and description filled in."""
    page.goto("/tickets/new/")
    page.get_by_label("Find a customer by name, email or phone").fill("Dana")
    page.get_by_role("button", name=re.compile("Dana Whitfield")).click()
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Description").fill(description)


def _ticket(maria, dana, subject, **fields):
    from caredesk.tickets.actions import create_ticket

    return create_ticket(actor=Actor.of_agent(maria), requester=dana, subject=subject, description="Help.", **fields)


# --- the fixes ----------------------------------------------------------------------------------------------------


def test_last_step_done_waits_for_the_checklist_and_the_timeline_keeps_the_order(page, sign_in, followed_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{followed_ticket.pk}/")
    panel = page.get_by_role("region", name="Follow-up")
    expect(panel).to_contain_text("Last step done")
    expect(panel.locator("li", has_text="Last step done")).to_contain_text("None yet")  # day 1 is still open

    attempt = panel.get_by_role("form", name=re.compile("Day 1"))
    attempt.get_by_role("checkbox", name="Call +1 415-555-0132").check()
    attempt.get_by_role("group", name="Customer reached").get_by_label("No").check()
    attempt.get_by_role("button", name="Complete attempt").click()
    expect(panel.get_by_role("status")).to_have_text("Attempt recorded.")
    expect(panel.locator("li", has_text="Last step done")).to_contain_text("Day 1: 1st update")

    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.locator(".entry.note")).to_contain_text("1/3")
    text = timeline.inner_text()
    # Written in this order in one transaction each: the sequence, not the timestamps, orders them.
    assert text.index("started the playbook") < text.index("planned the follow-up")
    assert text.index("completed the follow-up") < text.index("1/3")


def test_an_internal_note_can_set_the_status(page, sign_in, maria, dana):
    ticket = _ticket(maria, dana, "Passport photo", status="open")
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_role("tab", name="Internal note").click()
    note = page.get_by_role("tabpanel", name="Internal note")
    note.get_by_label("Note for agents").fill("Asked the customer for a new photo.")
    note.get_by_label("Then set status").select_option(label="Pending")
    note.get_by_role("button", name="Add note").click()
    expect(page.locator("#ticket-head .status")).to_have_text("Pending")
    expect(page.get_by_role("region", name="Timeline").locator(".entry.note")).to_contain_text("new photo")


def test_the_compliance_report_explains_a_backwards_range_in_its_own_words(page, sign_in, e2e_agent):
    e2e_agent("tess", role=roles.TEAM_SUPERVISOR)
    sign_in("tess")
    page.goto("/reports/compliance/?since=2026-03-05&until=2026-03-01")
    expect(page.get_by_role("alert").first).to_contain_text("The From date must not be after the To date.")
    expect(page.locator("main")).not_to_contain_text("since must not be after until")


def boom(request):
    raise RuntimeError("a bug the agent must not see")


urlpatterns = [path("boom/", boom), path("", include("caredesk.urls"))]
handler403 = "caredesk.web.permissions.forbidden"


@pytest.fixture
def failing_page(settings):
    """The workspace plus a page that fails, to see the 500 page the way an agent would."""
    settings.ROOT_URLCONF = __name__


def test_404_and_500_pages_are_the_workspace_and_the_icon_exists(page, sign_in, maria, failing_page):
    sign_in("maria")
    answer = page.goto("/tickets/987654/")
    assert answer.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # inside the workspace frame, styled
    expect(page.get_by_role("link", name="Back to My work")).to_be_visible()

    answer = page.goto("/boom/")
    assert answer.status == 500
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Traceback")
    expect(page.locator("body")).not_to_contain_text("a bug the agent must not see")
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"  # styled

    icon = page.request.get("/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_at_390_px_the_pages_do_not_scroll_sideways(page, sign_in, maria, dana, order, e2e_agent):
    e2e_agent("tess", role=roles.TEAM_SUPERVISOR)
    tickets = [_ticket(maria, dana, f"A rather long subject for a narrow phone screen, number {number}",
                       order=order, tags=["passport-photo", "needs-callback"]) for number in range(3)]
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("tess")
    for url in ("/views/?status=any", "/reports/compliance/", f"/customers/{dana.pk}/", "/",
                f"/tickets/{tickets[0].pk}/", "/responses/", "/responses/macros/new/", "/reports/",
                "/search/?q=photo", "/notifications/", "/settings/", "/resolutions/", "/knowledge/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        widest = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391).slice(0, 5)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert width <= 390, f"{url} is {width} px wide: {widest}"
    page.goto("/views/?status=any")
    table = page.locator("table.tickets")
    assert table.evaluate("element => element.scrollWidth > element.clientWidth")  # it scrolls inside its box


# --- for the SOPs ---------------------------------------------------------------------------------------------------


def test_an_order_is_linked_from_the_new_ticket_form_and_the_ticket_page(page, sign_in, maria, dana, order):
    from caredesk.customers.actions import create_order

    second = create_order(actor=Actor.of_agent(maria), customer=dana, external_reference="ORD-20999", status="Open")
    sign_in("maria")
    _new_ticket_for_dana(page, "Photo rejected again", "The second photo was rejected too.")
    page.get_by_label("Linked order").fill("ORD-99999")
    page.get_by_role("button", name="Create ticket").click()
    expect(page.locator("#id_order_error")).to_contain_text("No order has the reference ORD-99999.")
    page.get_by_label("Linked order").fill("ORD-20410")
    page.get_by_role("button", name="Create ticket").click()
    expect(page.get_by_role("region", name="Linked order")).to_contain_text("ORD-20410")

    props = page.get_by_role("complementary", name="Ticket properties")
    props.get_by_label("Linked order").select_option(label="ORD-20999 (Open)")
    expect(props.get_by_role("status")).to_have_text(re.compile("Saved"))
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("ORD-20999")
    expect(page.get_by_role("region", name="Linked order")).to_contain_text("Open")  # the card follows
    from caredesk.tickets.models import Ticket

    assert Ticket.objects.get(subject="Photo rejected again").order == second


def test_an_email_reply_ticks_the_open_attempts_email_box(page, sign_in, followed_ticket):
    sign_in("maria")
    page.goto(f"/tickets/{followed_ticket.pk}/")
    attempt = page.get_by_role("region", name="Follow-up").get_by_role("form", name=re.compile("Day 1"))
    expect(attempt.get_by_role("checkbox", name="Email dana@example.com")).not_to_be_checked()
    reply = page.get_by_role("tabpanel", name="Public reply")
    reply.get_by_label("Reply to the requester").fill("We need a new photo; the guidelines are attached.")
    reply.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("ticked email on the follow-up")
    attempt = page.get_by_role("region", name="Follow-up").get_by_role("form", name=re.compile("Day 1"))
    expect(attempt.get_by_role("checkbox", name="Email dana@example.com")).to_be_checked()
    expect(attempt.get_by_role("checkbox", name="Call +1 415-555-0132")).not_to_be_checked()


def test_canned_responses_follow_their_tabs_and_a_supervisor_edits_them(page, sign_in, maria, dana, e2e_agent):
    ticket = _ticket(maria, dana, "Passport photo")
    e2e_agent("tess", role=roles.TEAM_SUPERVISOR)
    sign_in("tess")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Responses").click()
    page.get_by_role("link", name="New canned response").click()
    page.get_by_role("button", name="Save canned response").click()  # nothing filled in
    expect(page.locator("#id_name_error")).to_be_visible()
    expect(page.locator("#id_tabs_error")).to_contain_text("Choose at least one composer tab")
    page.get_by_label("Name").fill("New photo needed")
    page.get_by_role("checkbox", name="Public reply").check()
    page.locator("#id_body").fill("Your photo was rejected; please send a new one.")
    page.get_by_role("button", name="Save canned response").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the canned response “New photo needed”")
    page.get_by_role("link", name="Call Notes").click()
    expect(page.get_by_role("checkbox", name="Public reply")).not_to_be_checked()  # shipped for call and note

    page.goto(f"/tickets/{ticket.pk}/")
    expect(page.locator("#canned-reply")).to_contain_text("New photo needed")
    expect(page.locator("#canned-reply")).not_to_contain_text("Call Notes")
    page.locator("#canned-reply").select_option(label="New photo needed")
    expect(page.get_by_label("Reply to the requester")).to_have_value(re.compile("please send a new one"))
    expect(page.locator("#canned-note")).to_contain_text("Call Notes")
    expect(page.locator("#canned-note")).not_to_contain_text("New photo needed")


def test_the_demo_ships_canned_responses_for_each_tab_and_macros(page, e2e_db):
    """Main's demo shipped "Call Notes" alone, offered in Public reply too."""
    from caredesk.demo import DEMO_PASSWORD, load_demo
    from caredesk.tickets.models import Ticket

    load_demo()
    ticket = Ticket.objects.get(subject="Passport application: photo rejected")
    page.goto("/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/tickets/{ticket.pk}/")
    reply = page.locator("#canned-reply")
    for name in ("Follow-up: trying to reach you", "Unresponsive: closing the ticket", "Documents needed"):
        expect(reply).to_contain_text(name)
    expect(reply).not_to_contain_text("Call Notes")
    expect(page.locator("#canned-call")).to_contain_text("Call Notes")
    expect(page.locator("#canned-call")).to_contain_text("Left a voicemail")
    expect(page.locator("#canned-call")).not_to_contain_text("Refund request received")
    macros = page.get_by_role("region", name="Actions").get_by_label("Macro")
    expect(macros).to_contain_text("Waiting on documents")
    expect(macros).to_contain_text("Escalate to Resolution")


def test_an_agent_cannot_open_the_responses_library(page, sign_in, maria):
    sign_in("maria")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Responses")).to_have_count(0)
    assert page.goto("/responses/").status == 403


# --- what agents expect ----------------------------------------------------------------------------------------------


def test_a_supervisor_writes_a_macro_and_an_agent_applies_it(page, sign_in, maria, dana, e2e_agent):
    ticket = _ticket(maria, dana, "Passport photo", status="open")
    e2e_agent("tess", role=roles.TEAM_SUPERVISOR)
    sign_in("tess")
    page.goto("/responses/macros/new/")
    page.get_by_label("Name").fill("Waiting on a new photo")
    page.get_by_label("Adds").select_option(label="An internal note")
    page.get_by_role("button", name="Save macro").click()
    expect(page.locator("#id_body_error")).to_contain_text("Write the text the macro adds")
    page.get_by_label("Text").fill("Asked for a new photo.")
    page.get_by_label("Set status").select_option(label="Pending")
    page.get_by_label("Set priority").select_option(label="High")
    page.get_by_label("Add tags").fill("photo, waiting")
    page.get_by_role("button", name="Save macro").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the macro")
    expect(page.get_by_role("row", name=re.compile("Waiting on a new photo"))).to_contain_text(
        "status pending priority high tags +photo +waiting")
    page.get_by_role("button", name="Sign out").click()

    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    actions = page.get_by_role("region", name="Actions")
    actions.get_by_label("Macro").select_option(label="Waiting on a new photo")
    actions.get_by_role("button", name="Apply macro").click()
    expect(page.get_by_role("status").first).to_contain_text("Applied the macro Waiting on a new photo.")
    expect(page.locator("#ticket-head .status")).to_have_text("Pending")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("applied the macro")
    expect(timeline.locator(".entry.note")).to_contain_text("Asked for a new photo.")
    props = page.get_by_role("complementary", name="Ticket properties")
    expect(props.get_by_label("Priority")).to_have_value("3")
    expect(props.get_by_label("Tags")).to_have_value("photo, waiting")


def test_bulk_assign_and_tag_from_a_view_each_ticket_audited(page, sign_in, maria, dana, e2e_agent):
    from caredesk.tickets.models import Ticket

    e2e_agent("devon", first_name="Devon", last_name="Price")
    first, second = _ticket(maria, dana, "First photo"), _ticket(maria, dana, "Second photo")
    closed = _ticket(maria, dana, "Old request", status="open")
    from caredesk.tickets.actions import update_ticket

    record_resolution(closed, Actor.of_agent(maria))
    update_ticket(closed, actor=Actor.of_agent(maria), status="solved")
    sign_in("maria")
    page.goto("/views/?status=any")
    for ticket in (first, second, closed):
        page.get_by_role("checkbox", name=f"Select #{ticket.pk}").check()
    expect(page.locator("[data-selected-count]")).to_have_text("3 selected")
    bar = page.get_by_role("form", name="Change the selected tickets")
    bar.get_by_label("Assign to").select_option(label="Devon Price")
    bar.get_by_label("Set status").select_option(label="Pending")
    bar.get_by_label("Add tags").fill("photo")
    bar.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".flash")).to_contain_text("Changed 2 tickets: #")
    expect(page.locator(".flash")).to_contain_text(f"#{closed.pk} was not changed: A solved ticket cannot become "
                                                    "pending")
    row = page.get_by_role("row", name=re.compile("First photo"))
    expect(row).to_contain_text("Devon Price")
    expect(row).to_contain_text("photo")
    for ticket in (first, second):
        assert set(Ticket.objects.get(pk=ticket.pk).events.values_list("action", flat=True)) >= {
            "assignee.changed", "status.changed", "tags.changed"}
    assert Ticket.objects.get(pk=closed.pk).assignee is None
    page.get_by_role("checkbox", name="Select every ticket on this page").check()
    expect(page.locator("[data-selected-count]")).to_have_text("3 selected")


def test_bulk_apply_a_macro_from_a_view(page, sign_in, maria, dana):
    from caredesk.desk.actions import create_macro
    from caredesk.tickets.models import Interaction, TicketEvent

    create_macro(actor=Actor.of_agent(maria), name="Photo guidelines sent", tab="note",
                 body="Sent the photo guidelines.", add_tags=["photo-guidelines"])
    first, second = _ticket(maria, dana, "First photo"), _ticket(maria, dana, "Second photo")
    untouched = _ticket(maria, dana, "Address change")
    sign_in("maria")
    page.goto("/views/?status=any")
    for ticket in (first, second):
        page.get_by_role("checkbox", name=f"Select #{ticket.pk}").check()
    bar = page.get_by_role("form", name="Change the selected tickets")
    bar.get_by_label("Apply macro").select_option(label="Photo guidelines sent")
    bar.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".flash")).to_contain_text("Changed 2 tickets: #")
    expect(page.get_by_role("row", name=re.compile("First photo"))).to_contain_text("photo-guidelines")
    for ticket in (first, second):
        assert Interaction.objects.get(ticket=ticket, kind="note").body == "Sent the photo guidelines."
        assert TicketEvent.objects.filter(ticket=ticket, action="macro.applied").count() == 1
    assert not Interaction.objects.filter(ticket=untouched, kind="note").exists()


def test_merge_a_duplicate_into_another_ticket(page, sign_in, followed_ticket, maria, dana):
    from caredesk.playbooks.models import PlaybookRun
    from caredesk.tickets import use_cases

    kept = _ticket(maria, dana, "Passport photo (phone)")
    use_cases.add_note(followed_ticket, actor=Actor.of_agent(maria), body="Customer sent the photo twice.")
    sign_in("maria")
    page.goto(f"/tickets/{followed_ticket.pk}/")
    actions = page.get_by_role("region", name="Actions")
    actions.get_by_label("Merge into ticket #").fill(str(followed_ticket.pk))
    actions.get_by_role("button", name="Merge…").click()
    expect(page.locator("#id_into_error")).to_contain_text("cannot be merged into itself")
    page.get_by_label("Merge into ticket #").fill(str(kept.pk))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text("follow-ups")
    page.get_by_role("button", name=f"Merge into #{kept.pk}").click()

    expect(page).to_have_url(re.compile(rf"/tickets/{kept.pk}/$"))
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Customer sent the photo twice.")
    expect(timeline).to_contain_text(f"merged #{followed_ticket.pk} into this ticket: 1 interactions and "
                                     "1 follow-ups moved here")
    expect(page.get_by_role("region", name="Follow-up")).to_contain_text("General inquiry follow-up")
    assert PlaybookRun.objects.get().ticket_id == kept.pk

    page.goto(f"/tickets/{followed_ticket.pk}/")
    expect(page.locator("#ticket-head .status")).to_have_text("Closed")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text(f"Merged into #{kept.pk}")
    expect(timeline.get_by_role("link", name=f"#{kept.pk}")).to_be_visible()


def test_redact_a_card_number_from_a_ticket(page, sign_in, maria, dana):
    from caredesk.tickets import use_cases

    ticket = _ticket(maria, dana, "Card declined")
    use_cases.add_note(ticket, actor=Actor.of_agent(maria), body="She read out her card: 4111 1111 1111 1111.")
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("4111 1111 1111 1111")
    actions = page.get_by_role("region", name="Actions")
    actions.get_by_label("Redact text").fill("4111 1111 1111 1111")
    actions.get_by_role("button", name="Redact…").click()
    expect(page.locator("#redaction-preview")).to_have_text(re.compile(r"1 timeline entry: 1"))
    page.get_by_role("button", name="Redact", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    expect(page.locator(".flash")).to_contain_text("Redacted 1 passage")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("She read out her card: [redacted].")
    expect(timeline).not_to_contain_text("4111")
    expect(timeline).to_contain_text("redacted 1 passage of a timeline entry")


def test_remove_a_document_after_confirming(page, sign_in, maria, dana):
    from caredesk.tickets.actions import NewAttachment, add_supporting_document

    ticket = _ticket(maria, dana, "Photo of a card")
    add_supporting_document(ticket, actor=Actor.of_agent(maria),
                            attachment=NewAttachment("card.jpg", "image/jpeg", b"\xff\xd8 a card"))
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    documents = page.get_by_role("region", name="Supporting documents")
    page.once("dialog", lambda dialog: dialog.dismiss())  # cancelled: nothing happens
    documents.get_by_role("button", name="Remove card.jpg").click()
    expect(documents.get_by_role("link", name="card.jpg")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    documents.get_by_role("button", name="Remove card.jpg").click()
    expect(page.locator(".flash")).to_contain_text("Removed card.jpg")
    expect(page.get_by_role("region", name="Supporting documents")).to_contain_text("None yet.")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("removed the document “card.jpg”")


def test_assign_to_me_and_round_robin_per_group(page, sign_in, maria, dana, e2e_agent):
    from caredesk.desk.actions import set_round_robin
    from caredesk.tickets.models import Group, Ticket

    devon = e2e_agent("devon", first_name="Devon", last_name="Price")
    sam = e2e_agent("sam", first_name="Sam", last_name="Reyes")
    support = Group.objects.get(key="general_support")
    set_round_robin(support, actor=Actor.of_agent(maria), agents=[devon, sam])
    ticket = _ticket(maria, dana, "Unassigned one")
    sign_in("maria")
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_role("region", name="Actions").get_by_role("button", name="Assign to me").click()
    expect(page.get_by_role("complementary", name="Ticket properties").get_by_label("Assignee")).to_have_value(
        str(maria.pk))
    expect(page.get_by_role("region", name="Actions").get_by_role("button", name="Assign to me")).to_have_count(0)

    for subject in ("Round robin 1", "Round robin 2", "Round robin 3"):
        _new_ticket_for_dana(page, subject, "Arrived by phone.")
        page.get_by_label("Group").select_option(label="General Support")
        page.get_by_label("Assignee").select_option(label="Unassigned")
        page.get_by_role("button", name="Create ticket").click()
        expect(page.locator("#ticket-head")).to_contain_text(subject)
    assert [Ticket.objects.get(subject=f"Round robin {n}").assignee for n in (1, 2, 3)] == [devon, sam, devon]
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("round robin")
