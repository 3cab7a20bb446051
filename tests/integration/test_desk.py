"""The desk's actions and API routes: canned responses and macros (Team Supervisors), a macro applied, bulk
changes with per-ticket refusals, merging with follow-ups, assign to me, round robin, an email or text sent
while an attempt is open ticking its box, the workspace's 404 page and icon."""

from __future__ import annotations

import pytest

from caredesk.channels.models import OutboundMessage
from caredesk.core import events, roles
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.desk import actions
from caredesk.desk.models import DeskEvent, Macro
from caredesk.playbooks.models import FollowUpTask, PlaybookRun
from caredesk.tickets import use_cases
from caredesk.tickets.actions import create_ticket, update_ticket
from caredesk.tickets.models import CannedResponse, Group, Interaction, Ticket, TicketEvent, TicketType
from tests.integration.helpers import record_resolution


@pytest.fixture
def supervisor(make_agent):
    return make_agent("tess", roles.TEAM_SUPERVISOR)


def _ticket(actor, customer, subject="Where is my passport?", **fields) -> Ticket:
    return create_ticket(actor=actor, requester=customer, subject=subject, **fields)


def _followed(actor, customer) -> Ticket:
    ticket = _ticket(actor, customer, ticket_type=TicketType.objects.get(key="general_inquiry"))
    update_ticket(ticket, actor=actor, status="pending")  # the general follow-up plans its day-1 attempt
    return ticket


# --- canned responses and macros ---------------------------------------------------------------------------------


def test_canned_responses_name_their_tabs_and_each_change_is_audited(actor):
    call_notes = CannedResponse.objects.get(name="Call Notes")
    assert call_notes.tabs == ["call", "note"]
    with pytest.raises(ValidationFailed) as error:
        actions.create_canned_response(actor=actor, name="Empty", body="Text", tabs=[])
    assert error.value.field == "tabs"
    with pytest.raises(ValidationFailed) as error:
        actions.create_canned_response(actor=actor, name="call notes", body="Text")
    assert error.value.field == "name"
    response = actions.create_canned_response(actor=actor, name="Thanks", body="Thank you.", tabs=["text", "reply"])
    assert response.tabs == ["reply", "text"]  # in the composer's order
    actions.update_canned_response(response, actor=actor, body="Thank you.")  # no change: no event
    actions.update_canned_response(response, actor=actor, active=False)
    assert list(DeskEvent.objects.filter(canned_response=response).values_list("action", flat=True)) == [
        "canned_response.created", "canned_response.changed"]


def test_a_macro_must_do_something_and_its_text_needs_a_place(actor):
    for values, field in (({}, "tab"), ({"tab": "note"}, "body"), ({"body": "Hello"}, "tab"),
                          ({"status": "new"}, "status"), ({"priority": 9}, "priority")):
        with pytest.raises(ValidationFailed) as error:
            actions.create_macro(actor=actor, name="Bad", **values)
        assert error.value.field == field, values
    assert not Macro.objects.exists()


def test_a_macro_writes_its_text_and_fields_together_or_not_at_all(actor, customer):
    macro = actions.create_macro(actor=actor, name="Docs", tab="reply", body="Please send the documents.",
                                 status="pending", priority=3, add_tags=["docs"],
                                 group=Group.objects.get(key="back_office"))
    ticket = _ticket(actor, customer, tags=["vip"])
    actions.apply_macro(ticket, macro, actor=actor)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.group.key) == ("pending", 3, "back_office")
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["docs", "vip"]
    reply = Interaction.objects.get(ticket=ticket)
    assert (reply.direction, reply.channel, reply.body) == ("outbound", "email", "Please send the documents.")
    assert OutboundMessage.objects.filter(ticket=ticket, channel="email").exists()  # sent through the outbox
    assert TicketEvent.objects.filter(ticket=ticket, action="macro.applied").get().after["name"] == "Docs"

    solved = _ticket(actor, customer, subject="Solved")
    record_resolution(solved, actor)
    update_ticket(solved, actor=actor, status="solved")
    with pytest.raises(Conflict):
        actions.apply_macro(solved, macro, actor=actor)  # solved cannot become pending
    assert not Interaction.objects.filter(ticket=solved).exists()  # the reply went with the refusal


# --- bulk, merge, assignment -----------------------------------------------------------------------------------------


def test_a_bulk_change_audits_each_ticket_and_reports_each_refusal(actor, customer, agent, make_agent):
    devon = make_agent("devon")
    first, second, solved = (_ticket(actor, customer, subject=subject) for subject in ("One", "Two", "Three"))
    record_resolution(solved, actor)
    update_ticket(solved, actor=actor, status="solved")
    result = actions.bulk_change([first.pk, second.pk, solved.pk, 999999], actor=actor, assignee=devon,
                                 status="pending", add_tags=["Photo"])
    assert result.changed == [first.pk, second.pk]
    assert result.refused == {solved.pk: "A solved ticket cannot become pending (allowed: closed, open).",
                              999999: "There is no ticket #999999."}
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.status) == (devon, "pending")
        assert list(ticket.tags.values_list("name", flat=True)) == ["photo"]
        assert {"assignee.changed", "status.changed", "tags.changed"} <= set(
            TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    solved.refresh_from_db()
    assert solved.assignee is None
    macro = actions.create_macro(actor=actor, name="Note it", tab="note", body="Checked in bulk.", add_tags=["bulk"])
    result = actions.bulk_change([first.pk, second.pk, solved.pk], actor=actor, macro=macro)
    assert result.changed == [first.pk, second.pk, solved.pk]  # a note and a tag suit a solved ticket too
    assert Interaction.objects.filter(body="Checked in bulk.").count() == 3
    assert TicketEvent.objects.filter(action="macro.applied").count() == 3
    with pytest.raises(ValidationFailed):
        actions.bulk_change([first.pk], actor=actor)  # nothing to do
    with pytest.raises(ValidationFailed):
        actions.bulk_change(range(1, actions.MAX_BULK + 2), actor=actor, status="open")


def test_a_merge_moves_the_conversation_and_the_follow_up_and_closes_the_duplicate(actor, customer):
    duplicate = _followed(actor, customer)
    use_cases.add_note(duplicate, actor=actor, body="Sent twice.")
    kept = _ticket(actor, customer, subject="Passport (phone)")
    with pytest.raises(ValidationFailed):
        actions.merge(kept, kept, actor=actor)
    actions.merge(duplicate, kept, actor=actor)
    duplicate.refresh_from_db()
    assert duplicate.status == "closed"
    assert list(Interaction.objects.filter(ticket=duplicate).values_list("body", flat=True)) == [
        f"Merged into #{kept.pk}: its conversation continues there."]
    assert Interaction.objects.filter(ticket=kept, body="Sent twice.").exists()
    assert PlaybookRun.objects.get().ticket_id == kept.pk
    assert FollowUpTask.objects.get().ticket_id == kept.pk
    merged_from = TicketEvent.objects.get(ticket=kept, action="ticket.merged_from")
    assert merged_from.after == {"ticket": duplicate.pk, "interactions": 1, "follow_ups": 1}
    assert TicketEvent.objects.get(ticket=duplicate, action="ticket.merged_into").after["ticket"] == kept.pk
    assert TicketEvent.objects.filter(ticket=kept, action="playbook.moved").count() == 1
    with pytest.raises(Conflict):
        actions.merge(duplicate, kept, actor=actor)  # closed already


def test_a_merged_reply_keeps_its_delivery_state_on_the_kept_ticket(client, agent, actor, customer):
    duplicate, kept = _ticket(actor, customer, subject="Twice"), _ticket(actor, customer, subject="Kept")
    use_cases.reply(duplicate, actor=actor, body="We are on it.")
    actions.merge(duplicate, kept, actor=actor)
    client.force_login(agent)
    timeline = client.get(f"/tickets/{kept.pk}/timeline/").content.decode()
    assert "We are on it." in timeline and "Queued" in timeline


def test_round_robin_takes_turns_among_active_agents(actor, customer, make_agent):
    devon, sam, lee = make_agent("devon"), make_agent("sam"), make_agent("lee")
    group = Group.objects.get(key="general_support")
    actions.set_round_robin(group, actor=actor, agents=[devon, sam, lee])
    from caredesk.core.actions import deactivate_agent

    deactivate_agent(sam, actor=actor)
    assigned = [_ticket(actor, customer, subject=f"#{n}", group=group).assignee for n in range(3)]
    assert assigned == [devon, lee, devon]  # sam is skipped while deactivated
    own = _ticket(actor, customer, subject="Mine", group=group, assignee=lee)
    assert own.assignee == lee  # an assigned ticket is left alone
    other = _ticket(actor, customer, subject="Elsewhere")
    assert Ticket.objects.get(pk=other.pk).assignee is None
    update_ticket(other, actor=actor, group=group)  # moved into the group: its turn comes
    assert Ticket.objects.get(pk=other.pk).assignee == lee
    assert DeskEvent.objects.filter(action="round_robin.assigned").count() == 4


def test_a_round_robin_of_the_groups_members_follows_them(actor, customer, make_agent):
    devon, sam, lee = make_agent("devon"), make_agent("sam"), make_agent("lee")
    group = Group.objects.get(key="general_support")
    actions.set_group_members(group, actor=actor, agents=[devon, sam])
    actions.set_round_robin(group, actor=actor, of_members=True)
    assert [_ticket(actor, customer, subject=f"#{n}", group=group).assignee for n in range(2)] == [devon, sam]
    actions.set_group_members(group, actor=actor, agents=[sam, lee])  # lee joins, devon leaves: no other change
    assert [_ticket(actor, customer, subject=f"#{n}", group=group).assignee for n in range(3)] == [lee, sam, lee]
    changed = DeskEvent.objects.filter(action="round_robin.changed").get()
    assert changed.after == {"active": True, "of_members": True, "agents": []}
    assert "the group's members" in events.describe(changed).render(events.TEXT)
    with pytest.raises(ValidationFailed):
        actions.set_round_robin(group, actor=actor, of_members=True, agents=[devon])


def test_next_in_turn_wraps_around():
    assert actions.next_in_turn([], None) is None
    assert actions.next_in_turn([5, 3], None) == 3
    assert actions.next_in_turn([3, 5, 9], 5) == 9
    assert actions.next_in_turn([3, 5, 9], 9) == 3
    assert actions.next_in_turn([3, 5, 9], 4) == 5  # the last one left the rotation


# --- a reply while an attempt is open ----------------------------------------------------------------------------------


def test_an_email_reply_or_a_text_ticks_the_open_attempt(actor, customer):
    ticket = _followed(actor, customer)
    task = FollowUpTask.objects.get(ticket=ticket)
    use_cases.add_note(ticket, actor=actor, body="Not a contact.")
    use_cases.reply(ticket, actor=actor, body="We wrote to you.")
    use_cases.reply(ticket, actor=actor, body="And again.")  # ticked once
    task.refresh_from_db()
    assert task.channels_tried == ["email"] and task.status == "open"
    use_cases.log_text(ticket, actor=actor, direction="outbound", body="Please call us.")
    task.refresh_from_db()
    assert task.channels_tried == ["email", "text"]
    ticked = TicketEvent.objects.filter(ticket=ticket, action="task.channel_tried")
    assert [event.after["channel"] for event in ticked] == ["email", "text"]
    assert all(event.interaction_id for event in ticked)


# --- the API ---------------------------------------------------------------------------------------------------------


def test_the_api_bulk_merge_assign_and_macros(api, agent, actor, customer, supervisor, api_client_for):
    first, second = _ticket(actor, customer, subject="One"), _ticket(actor, customer, subject="Two")
    answer = api.post("/api/v1/tickets/bulk", {"ticket_ids": [first.pk, second.pk], "assignee": "me",
                                               "add_tags": ["api"]}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"changed": [first.pk, second.pk], "refused": {}}
    assert Ticket.objects.get(pk=first.pk).assignee == agent
    bad = api.post("/api/v1/tickets/bulk", {"ticket_ids": [first.pk], "status": "pending", "assignee": "nobody"},
                   content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "assignee"

    macro_body = {"name": "Close out", "tab": "note", "body": "Done.", "status": "solved", "add_tags": ["done"]}
    assert api.post("/api/v1/macros", macro_body, content_type="application/json").status_code == 403
    tess = api_client_for(supervisor)
    created = tess.post("/api/v1/macros", macro_body, content_type="application/json")
    assert created.status_code == 201, created.content
    macro_id = created.json()["id"]
    assert created.json()["status"] == "solved" and created.json()["add_tags"] == ["done"]
    missing = tess.post("/api/v1/macros", {"name": "Nothing"}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["field"] == "tab"
    patched = tess.patch(f"/api/v1/macros/{macro_id}", {"priority": "high"}, content_type="application/json")
    assert patched.json()["priority"] == "high"
    assert [row["name"] for row in api.get("/api/v1/macros").json()] == ["Close out"]
    record_resolution(second, actor)  # a macro that solves obeys the resolution rule (docs/resolution.md)
    applied = api.post(f"/api/v1/tickets/{second.pk}/macros/{macro_id}")
    assert applied.status_code == 200 and applied.json()["status"] == "solved"

    third = _ticket(actor, customer, subject="Three")
    merged = api.post(f"/api/v1/tickets/{first.pk}/merge", {"into": third.pk}, content_type="application/json")
    assert merged.status_code == 200 and merged.json()["id"] == third.pk
    assert Ticket.objects.get(pk=first.pk).status == "closed"
    again = api.post(f"/api/v1/tickets/{first.pk}/merge", {"into": third.pk}, content_type="application/json")
    assert again.status_code == 409 and again.json()["field"] == "source"
    itself = api.post(f"/api/v1/tickets/{third.pk}/merge", {"into": third.pk}, content_type="application/json")
    assert itself.status_code == 422 and itself.json()["field"] == "target"

    mine = api_client_for(supervisor).post(f"/api/v1/tickets/{third.pk}/assign-to-me")
    assert mine.status_code == 200 and mine.json()["assignee"]["username"] == "tess"


def test_the_api_edits_canned_responses_for_supervisors_only(api, supervisor, api_client_for):
    body = {"name": "Photo", "tabs": ["reply"], "body": "Send a new photo."}
    assert api.post("/api/v1/canned-responses", body, content_type="application/json").status_code == 403
    tess = api_client_for(supervisor)
    created = tess.post("/api/v1/canned-responses", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["tabs"] == ["reply"]
    bad = tess.patch(f"/api/v1/canned-responses/{created.json()['id']}", {"tabs": []},
                     content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "tabs"
    unknown = tess.patch(f"/api/v1/canned-responses/{created.json()['id']}", {"tabs": ["fax"]},
                         content_type="application/json")
    assert unknown.status_code == 422
    names = [row["name"] for row in api.get("/api/v1/canned-responses").json()]
    assert "Photo" in names and "Call Notes" in names


# --- pages ------------------------------------------------------------------------------------------------------------


def test_the_404_page_and_the_icon(client, agent):
    client.force_login(agent)
    missing = client.get("/tickets/424242/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "Page not found" in html and 'class="topbar"' in html and "<style" not in html and " style=" not in html
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_the_responses_pages_are_for_supervisors(client, agent, supervisor):
    client.force_login(agent)
    assert client.get("/responses/").status_code == 403
    client.force_login(supervisor)
    assert "Call Notes" in client.get("/responses/").content.decode()
    answer = client.post("/responses/macros/new/", {"name": "Bad", "tab": "note"})
    assert answer.status_code == 422 and "Write the text the macro adds" in answer.content.decode()
    assert not Macro.objects.exists()


def test_an_admin_sets_a_round_robin_in_the_admin(client, admin_agent, make_agent):
    devon = make_agent("devon")
    group = Group.objects.get(key="website_care")
    client.force_login(admin_agent)
    answer = client.post("/admin/desk/roundrobin/add/", {"group": group.pk, "active": "on", "agents": [devon.pk]})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    event = DeskEvent.objects.get(action="round_robin.changed")
    assert event.before is None and event.after == {"active": True, "of_members": False, "agents": ["devon"]}
    assert event.actor == admin_agent
    rotation = group.round_robin
    assert list(rotation.agents.all()) == [devon]
    assert client.get(f"/admin/desk/roundrobin/{rotation.pk}/change/").status_code == 200
    both = client.post(f"/admin/desk/roundrobin/{rotation.pk}/change/",
                       {"group": group.pk, "active": "on", "of_members": "on", "agents": [devon.pk]})
    assert both.status_code == 200 and "not both" in both.content.decode()
    assert DeskEvent.objects.filter(action="round_robin.changed").count() == 1


def test_the_redact_page_shows_where_the_text_is_then_redacts_on_confirmation(client, agent, actor, customer,
                                                                              roleless):
    ticket = _ticket(actor, customer, subject="Card 4111 1111 1111 1111", description="It is 4111 1111 1111 1111.")
    note = use_cases.add_note(ticket, actor=actor, body="Card 4111 1111 1111 1111 on the call.")
    url = f"/tickets/{ticket.pk}/redact/"
    client.force_login(agent)
    assert 'action="/tickets/%d/redact/"' % ticket.pk in client.get(f"/tickets/{ticket.pk}/").content.decode()
    events = TicketEvent.objects.count()

    preview = client.post(url, {"text": "4111 1111 1111 1111"})
    page = preview.content.decode()
    assert preview.status_code == 200 and 'name="confirm" value="true"' in page
    assert "<li>subject: 1</li>" in page and "<li>description: 1</li>" in page and "<li>1 timeline entry: 1</li>" in page
    assert "<li>the ticket&#x27;s history: 1</li>" in page  # the subject it was created with
    ticket.refresh_from_db()
    assert "4111" in ticket.subject and TicketEvent.objects.count() == events  # the preview wrote nothing

    for text, status in (("abc", 422), ("nowhere to be found", 422), ("[REDACTED]", 422)):
        assert client.post(url, {"text": text}).status_code == status
    done = client.post(url, {"text": "4111 1111 1111 1111", "confirm": "true"})
    assert done.status_code == 302 and done["Location"] == f"/tickets/{ticket.pk}/"
    ticket.refresh_from_db()
    note.refresh_from_db()
    assert (ticket.subject, ticket.description, note.body) == (
        "Card [redacted]", "It is [redacted].", "Card [redacted] on the call.")
    assert "Redacted 4 passages from" in client.get(done["Location"]).content.decode()

    client.force_login(roleless)
    assert client.post(url, {"text": "[redacted]", "confirm": "true"}).status_code == 403
