"""The tickets routes: create, read, update, list, interactions, timeline, events and attachments."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caredesk.channels.models import OutboundMessage
from caredesk.core.audit import Actor
from caredesk.customers.actions import create_customer
from caredesk.customers.models import Customer
from caredesk.tickets import actions
from caredesk.tickets.models import Attachment, Interaction, Ticket
from tests.integration.helpers import (assert_problem, events_of, nothing_written, patch_json, post_json,
                                       record_resolution)


def test_create_ticket_for_an_existing_customer(api, agent, customer, order, frozen_clock):
    response = post_json(api, "/api/v1/tickets", {
        "subject": "Refund", "description": "Charged twice", "requester_id": customer.pk, "order_id": order.pk,
        "ticket_type": "refund_request", "category": "billing", "tags": ["refund", "Double Charge"],
        "priority": "high", "status": "open", "group": "website_care", "assignee": "maria", "channel": "email",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == body["id"]
    assert (body["subject"], body["status"], body["priority"], body["channel"], body["order_id"]) == (
        "Refund", "open", "high", "email", order.pk)
    assert body["requester"] == {"id": customer.pk, "name": "Dana Whitfield"}
    assert body["ticket_type"] == {"key": "refund_request", "name": "Refund request"}
    assert body["group"]["key"] == "website_care" and body["category"]["key"] == "billing"
    assert body["assignee"] == {"id": agent.pk, "username": "maria", "name": "Maria Lopez"}
    assert body["tags"] == ["double-charge", "refund"] or sorted(body["tags"]) == ["double-charge", "refund"]
    assert body["created_at"] == "2026-03-02T14:00:00Z" and body["follows_up_id"] is None
    (event,) = events_of(Ticket.objects.get(pk=body["id"]))
    assert (event.actor, event.action, event.after["subject"], event.after["assignee"]["id"]) == (
        agent, "ticket.created", "Refund", agent.pk)


def test_create_ticket_with_a_new_requester(api, agent):
    response = post_json(api, "/api/v1/tickets", {
        "subject": "Hello", "description": "Asks about the service.",
        "requester": {"name": "New Person", "emails": ["new@example.com"]}})
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["requester"]["id"])
    assert customer.emails == ["new@example.com"]
    assert customer.events.first().action == "customer.created"
    assert events_of(Ticket.objects.get(pk=response.json()["id"]))[0].actor == agent


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"requester_id": "{customer}"}, 422, "subject"),
    ({"subject": "x"}, 422, "body"),
    ({"subject": "x", "requester_id": "{customer}", "requester": {"name": "Y"}}, 422, "body"),
    ({"subject": "", "requester_id": "{customer}"}, 422, "subject"),
    ({"subject": "x", "requester_id": 999999}, 422, "requester_id"),
    ({"subject": "x", "requester_id": 2**63}, 422, "requester_id"),
    ({"subject": "x", "requester_id": -1}, 422, "requester_id"),
    ({"subject": "x", "requester_id": "{customer}", "ticket_type": "nope"}, 422, "ticket_type"),
    ({"subject": "x", "requester_id": "{customer}", "category": "nope"}, 422, "category"),
    ({"subject": "x", "requester_id": "{customer}", "group": "nope"}, 422, "group"),
    ({"subject": "x", "requester_id": "{customer}", "assignee": "ghost"}, 422, "assignee"),
    ({"subject": "x", "requester_id": "{customer}", "order_id": 999999}, 422, "order_id"),
    ({"subject": "x", "requester_id": "{customer}", "priority": "critical"}, 422, "priority"),
    ({"subject": "x", "requester_id": "{customer}", "status": "closed"}, 422, "status"),
    ({"subject": "x", "requester_id": "{customer}", "channel": "fax"}, 422, "channel"),
    ({"subject": "x", "requester_id": "{customer}", "tags": "one"}, 422, "tags"),
    ({"subject": "x", "requester_id": "{customer}", "tags": ["no/slash"]}, 422, "tags[0]"),
    ({"subject": "x", "requester_id": "{customer}", "tags": [1]}, 422, "tags[0]"),
    ({"subject": "x\x00", "requester_id": "{customer}"}, 422, "subject"),
    ({"subject": "x", "description": "a\x00b", "requester_id": "{customer}"}, 422, "description"),
    # SOP 004: the name, contact information and a description of the problem on every ticket.
    ({"subject": "x", "description": None, "requester_id": "{customer}"}, 422, "description"),
    ({"subject": "x", "description": "", "requester_id": "{customer}"}, 422, "description"),
    ({"subject": "x", "description": " \n ", "requester_id": "{customer}"}, 422, "description"),
    ({"subject": "x", "requester": {"name": "N"}}, 422, "requester.emails"),
    ({"subject": "x", "requester": {"name": "N", "emails": [" "], "phones": []}}, 422, "requester.emails"),
    ({"subject": "x", "requester": {"name": " ", "emails": ["n@example.com"]}}, 422, "requester.name"),
    ({"subject": "x", "requester": {"name": "N", "emails": ["bad"]}}, 422, "requester.emails[0]"),
    ({"subject": "x", "requester": {"name": "N", "phones": ["12"]}}, 422, "requester.phones[0]"),
    ({"subject": "x", "requester": {"name": "N", "emails": ["dana@example.com"]}}, 409, "requester.emails"),
    ({"subject": "x", "requester": {}}, 422, "requester.name"),
    ({"subject": 1, "requester_id": "{customer}"}, 422, "subject"),
])
def test_create_ticket_bad_input(api, customer, payload, status, field):
    payload = {"description": "Details", **payload}
    payload = {key: customer.pk if value == "{customer}" else value for key, value in payload.items()
               if value is not None}
    with nothing_written():
        assert_problem(post_json(api, "/api/v1/tickets", payload), status, field)


def test_a_ticket_for_a_customer_nobody_can_reach_is_refused(api, actor):
    """SOP 004: a ticket carries the requester's contact information; a customer with none gets one first."""
    unreachable = create_customer(actor=actor, name="No Contact")
    with nothing_written():
        assert_problem(post_json(api, "/api/v1/tickets", {
            "subject": "x", "description": "Details", "requester_id": unreachable.pk,
        }), 422, "requester_id")


def test_a_new_requester_is_not_kept_when_the_ticket_is_refused(api, customer, order):
    """The requester and the ticket are one change: an order of another customer refuses both."""
    with nothing_written():
        assert_problem(post_json(api, "/api/v1/tickets", {
            "subject": "x", "description": "Details", "order_id": order.pk,
            "requester": {"name": "Someone Else", "emails": ["e@x.org"]},
        }), 422, "order")
    assert not Customer.objects.filter(name="Someone Else").exists()


def test_get_ticket(api, ticket):
    body = api.get(f"/api/v1/tickets/{ticket.pk}").json()
    assert (body["id"], body["subject"], body["status"], body["priority"]) == (
        ticket.pk, "Where is my passport?", "new", "medium")
    assert_problem(api.get("/api/v1/tickets/999999"), 404)
    assert_problem(api.get(f"/api/v1/tickets/{2**63}"), 422, "ticket_id")
    assert_problem(api.get("/api/v1/tickets/abc"), 422, "ticket_id")


def test_update_ticket(api, ticket, agent, order):
    response = patch_json(api, f"/api/v1/tickets/{ticket.pk}", {
        "subject": "Passport", "priority": "urgent", "status": "pending", "group": "unresponsive_customers",
        "assignee": "maria", "tags": ["late"], "ticket_type": "general_inquiry", "category": "product_inquiry",
        "order_id": order.pk, "description": "new",
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["subject"], body["priority"], body["status"], body["group"]["key"], body["tags"]) == (
        "Passport", "urgent", "pending", "unresponsive_customers", ["late"])
    changed = {e.field: (e.actor, e.before, e.after) for e in events_of(ticket, action__endswith=".changed")}
    assert set(changed) == {"subject", "priority", "status", "group", "assignee", "tags", "ticket_type",
                            "category", "order", "description"}
    assert changed["priority"] == (agent, "medium", "urgent")
    assert changed["status"] == (agent, "new", "pending")
    unassigned = patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"assignee": None, "group": None})
    assert unassigned.json()["assignee"] is None and unassigned.json()["group"] is None
    assert events_of(ticket, field="assignee")[-1].after is None


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"status": "closed"}, 409, "status"),
    ({"status": "archived"}, 422, "status"),
    ({"priority": 3}, 422, "priority"),
    ({"group": "nope"}, 422, "group"),
    ({"assignee": "ghost"}, 422, "assignee"),
    ({"ticket_type": "x" * 65}, 422, "ticket_type"),
    ({"order_id": 2**64}, 422, "order_id"),
    ({"tags": ["ok", "not ok!"]}, 422, "tags[1]"),
    ({"subject": "   "}, 422, "subject"),
    ({"subject": "ok", "status": "closed"}, 409, "status"),
])
def test_update_ticket_bad_input(api, ticket, payload, status, field):
    with nothing_written():
        assert_problem(patch_json(api, f"/api/v1/tickets/{ticket.pk}", payload), status, field)
    assert Ticket.objects.get(pk=ticket.pk).subject == "Where is my passport?"


def _record_resolution(api, ticket):
    """The resolution the shipped rule requires before an agent solves (docs/resolution.md)."""
    response = post_json(api, f"/api/v1/tickets/{ticket.pk}/resolution",
                         {"root_cause": "other", "summary": "Answered.", "solve": False})
    assert response.status_code == 201, response.content


def test_a_closed_ticket_cannot_be_updated_through_the_api(api, ticket):
    _record_resolution(api, ticket)
    patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "solved"})
    patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "closed"})
    with nothing_written():
        assert_problem(patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"subject": "again"}), 409)
        assert_problem(post_json(api, f"/api/v1/tickets/{ticket.pk}/interactions",
                                 {"type": "note", "body": "late"}), 409)


def test_list_tickets_with_filters_and_pages(api, agent, customer, make_agent, frozen_clock):
    actor = Actor.of_agent(agent)
    other_agent = make_agent("sam")
    from caredesk.customers.actions import create_customer
    from caredesk.tickets.models import Group, TicketType

    other_customer = create_customer(actor=actor, name="Other")
    mine = actions.create_ticket(actor=actor, requester=customer, subject="Mine", assignee=agent, tags=["vip"],
                                 group=Group.objects.get(key="resolution"), priority=4)
    frozen_clock.advance(timedelta(hours=1))
    theirs = actions.create_ticket(actor=actor, requester=other_customer, subject="Theirs", assignee=other_agent,
                                   ticket_type=TicketType.objects.get(key="bot_issue"), status="pending")
    nobody = actions.create_ticket(actor=actor, requester=customer, subject="Nobody's", status="open")

    def ids(query):
        response = api.get(f"/api/v1/tickets?{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids("") == [nobody.pk, theirs.pk, mine.pk]
    assert ids("status=open&status=pending") == [nobody.pk, theirs.pk]
    assert ids("type=bot_issue") == [theirs.pk]
    assert ids("group=resolution") == [mine.pk]
    assert ids("assignee=me") == [mine.pk]
    assert ids("assignee=sam") == [theirs.pk]
    assert ids("assignee=none") == [nobody.pk]
    assert ids(f"requester={customer.pk}") == [nobody.pk, mine.pk]
    assert ids("tag=VIP") == [mine.pk]
    assert ids("priority=urgent") == [mine.pk]
    assert ids("updated_since=2026-03-02T14:30:00Z") == [nobody.pk, theirs.pk]
    first = api.get("/api/v1/tickets?limit=2").json()
    assert [t["id"] for t in first["items"]] == [nobody.pk, theirs.pk]
    second = api.get(f"/api/v1/tickets?limit=2&cursor={first['next_cursor']}").json()
    assert [t["id"] for t in second["items"]] == [mine.pk] and second["next_cursor"] is None


@pytest.mark.parametrize(("query", "field"), [
    ("status=lost", "status[0]"), ("status=open&status=lost", "status[1]"), ("type=nope", "ticket_type"), ("group=nope", "group"), ("assignee=ghost", "assignee"),
    ("requester=abc", "requester"), (f"requester={2**63}", "requester"), ("tag=a%00b", "tag"),
    ("priority=9", "priority"), ("updated_since=yesterday", "updated_since"), ("limit=1000", "limit"),
    ("cursor=abc", "cursor"), ("cursor=WzBd", "cursor"), ("cursor=WyJ4Il0", "cursor"),
    ("cursor=Wzk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ", "cursor"), ("cursor=W3RydWVd", "cursor"),
    ("cursor=W1sxXV0", "cursor"), ("cursor=WzEuNV0", "cursor"),
])
def test_list_tickets_bad_input(api, ticket, query, field):
    assert_problem(api.get(f"/api/v1/tickets?{query}"), 422, field)


def _interact(api, ticket, payload):
    return post_json(api, f"/api/v1/tickets/{ticket.pk}/interactions", payload)


def test_public_reply(api, ticket, agent, frozen_clock):
    response = _interact(api, ticket, {"type": "reply", "body": "On it", "channel": "email"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["channel"], body["direction"], body["public"], body["author"]) == (
        "message", "email", "outbound", True, "Maria Lopez")
    assert body["author_agent_id"] == agent.pk and body["call_notes"] is None and body["attachments"] == []
    assert Ticket.objects.get(pk=ticket.pk).first_response_at == frozen_clock.now()
    event = events_of(ticket, action="interaction.message")[0]
    assert (event.actor, event.interaction_id, event.after["direction"]) == (agent, body["id"], "outbound")


def test_internal_note(api, ticket, agent):
    body = _interact(api, ticket, {"type": "note", "body": "Checked", "direction": "inbound",
                                   "occurred_at": "2026-03-01T09:00:00Z"}).json()
    assert body["occurred_at"] == "2026-03-01T09:00:00Z"
    assert (body["kind"], body["channel"], body["direction"], body["public"]) == (
        "note", "internal", "internal", False)
    assert events_of(ticket, action="interaction.note")[0].actor == agent


def test_logged_call_with_outcome_and_call_notes(api, ticket, agent):
    response = _interact(api, ticket, {
        "type": "call", "direction": "outbound", "call_outcome": "no_answer", "body": "",
        "call_notes": {"caller_name": "Maria", "call_type": "Follow-up", "customer_type": "Homeowner",
                       "reason_for_call": "Passport status", "actions_taken": "Left no message"},
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["channel"], body["call_outcome"]) == ("call", "phone", "no_answer")
    assert body["call_notes"] == {"caller_name": "Maria", "call_type": "Follow-up", "customer_type": "Homeowner",
                                  "reason_for_call": "Passport status", "actions_taken": "Left no message"}
    event = events_of(ticket, action="interaction.call")[0]
    assert event.actor == agent and event.after == {"channel": "phone", "direction": "outbound",
                                                    "call_outcome": "no_answer", "has_call_notes": True}


def test_a_call_that_never_reached_an_agent_needs_no_call_notes(api, ticket, agent):
    """SOP 000 asks for notes where we reached out or spoke with the customer; a missed call did neither."""
    response = _interact(api, ticket, {"type": "call", "direction": "inbound", "call_outcome": "missed"})
    assert response.status_code == 201, response.content
    assert response.json()["author_customer_id"] == ticket.requester_id
    assert events_of(ticket, action="interaction.call")[0].after["has_call_notes"] is False


def test_reply_then_set_status_is_one_change(api, ticket, agent):
    response = _interact(api, ticket, {"type": "reply", "body": "Sent the form", "then_status": "pending"})
    assert response.status_code == 201, response.content
    assert Ticket.objects.get(pk=ticket.pk).status == "pending"
    actions_in_order = [event.action for event in events_of(ticket)]
    assert actions_in_order.index("interaction.message") < actions_in_order.index("status.changed")
    assert OutboundMessage.objects.filter(ticket=ticket).count() == 1  # the reply went to the outbox


def test_a_refused_status_leaves_no_reply_behind(api, ticket):
    _record_resolution(api, ticket)
    patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "solved"})
    with nothing_written():
        assert_problem(_interact(api, ticket, {"type": "reply", "body": "x", "then_status": "pending"}), 409,
                       "status")


def test_logged_sms(api, ticket, agent):
    body = _interact(api, ticket, {"type": "sms", "body": "Hi Dana", "direction": "outbound"}).json()
    assert (body["kind"], body["channel"], body["direction"]) == ("message", "sms", "outbound")
    inbound = _interact(api, ticket, {"type": "sms", "body": "Thanks", "direction": "inbound"}).json()
    assert inbound["author_customer_id"] == ticket.requester_id and inbound["author"] == "Dana Whitfield"
    assert len(events_of(ticket, action="interaction.message")) == 2


def test_customer_message_reopens_a_pending_ticket(api, ticket, agent):
    patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "pending"})
    body = _interact(api, ticket, {"type": "customer_message", "body": "Any news?", "channel": "chat",
                                   "occurred_at": "2026-03-01T09:00:00Z"}).json()
    assert (body["direction"], body["channel"], body["author_customer_id"]) == ("inbound", "chat", ticket.requester_id)
    assert body["occurred_at"] == "2026-03-01T09:00:00Z"
    assert Ticket.objects.get(pk=ticket.pk).status == "open"
    reopened = events_of(ticket, action="status.changed")[-1]
    assert (reopened.actor, reopened.before, reopened.after) == (agent, "pending", "open")


def test_customer_message_to_a_closed_ticket_lands_on_a_follow_up(api, ticket, agent):
    _record_resolution(api, ticket)
    patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "solved"})
    patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "closed"})
    response = _interact(api, ticket, {"type": "customer_message", "body": "Still waiting"})
    assert response.status_code == 201, response.content
    follow_up = Ticket.objects.get(follows_up=ticket)
    assert response.json()["ticket_id"] == follow_up.pk
    assert api.get(f"/api/v1/tickets/{follow_up.pk}").json()["follows_up_id"] == ticket.pk
    assert events_of(ticket, action="follow_up.created")[0].actor == agent
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({}, 422, "type"),
    ({"type": "fax", "body": "x"}, 422, "type"),
    ({"type": "reply"}, 422, "body"),
    ({"type": "reply", "body": "   "}, 422, "body"),
    ({"type": "note", "body": ""}, 422, "body"),
    ({"type": "call"}, 422, "call_outcome"),
    ({"type": "call", "call_outcome": "exploded"}, 422, "call_outcome"),
    ({"type": "reply", "body": "x", "call_outcome": "answered"}, 422, "call_outcome"),
    ({"type": "reply", "body": "x", "call_notes": {"caller_name": "M"}}, 422, "call_notes"),
    ({"type": "call", "call_outcome": "answered", "call_notes": {"caller_name": 5}}, 422, "call_notes.caller_name"),
    # SOP 000: call notes on every call we made, and on every call we answered.
    ({"type": "call", "call_outcome": "answered"}, 422, "call_notes.caller_name"),
    ({"type": "call", "call_outcome": "no_answer", "direction": "outbound"}, 422, "call_notes.caller_name"),
    ({"type": "call", "call_outcome": "answered", "direction": "inbound", "call_notes": {
        "caller_name": "Dana", "call_type": "Inbound", "customer_type": "Passport", "reason_for_call": "Status",
        "actions_taken": "  "}}, 422, "call_notes.actions_taken"),
    ({"type": "reply", "body": "x", "then_status": "closed"}, 422, "then_status"),
    ({"type": "customer_message", "body": "x", "then_status": "open"}, 422, "then_status"),
    ({"type": "reply", "body": "x", "channel": "phone"}, 422, "channel"),
    ({"type": "reply", "body": "x", "direction": "internal"}, 422, "direction"),
    ({"type": "reply", "body": "x", "occurred_at": "soon"}, 422, "occurred_at"),
    ({"type": "reply", "body": "x\x00"}, 422, "body"),
    ({"type": "reply", "body": ["x"]}, 422, "body"),
    ({"type": "reply", "body": "x" * 100_001}, 422, "body"),
])
def test_add_interaction_bad_input(api, ticket, payload, status, field):
    with nothing_written():
        assert_problem(_interact(api, ticket, payload), status, field)


def test_interaction_on_a_missing_ticket(api, db):
    with nothing_written():
        assert_problem(post_json(api, "/api/v1/tickets/424242/interactions", {"type": "note", "body": "x"}), 404)


def test_timeline_and_events(api, ticket, agent):
    _interact(api, ticket, {"type": "reply", "body": "one"})
    _interact(api, ticket, {"type": "note", "body": "two"})
    timeline = api.get(f"/api/v1/tickets/{ticket.pk}/timeline").json()
    assert [(i["kind"], i["body"]) for i in timeline] == [("message", "one"), ("note", "two")]
    events = api.get(f"/api/v1/tickets/{ticket.pk}/events").json()
    # Other apps (the outbox, playbooks) may add their own events; these are the ticket's own.
    ours = [e["action"] for e in events if e["action"].split(".")[0] in {"ticket", "interaction"}]
    assert ours == ["ticket.created", "interaction.message", "interaction.note"]
    assert events[0]["actor_kind"] == "agent" and events[0]["actor_label"] == "maria"
    assert events[0]["after"]["subject"] == "Where is my passport?"
    assert_problem(api.get("/api/v1/tickets/424242/timeline"), 404)
    assert_problem(api.get("/api/v1/tickets/424242/events"), 404)


def _upload(api, ticket_id, name="scan.pdf", content=b"%PDF-1.7 passport", content_type="application/pdf"):
    return api.post(f"/api/v1/tickets/{ticket_id}/attachments",
                    {"file": SimpleUploadedFile(name, content, content_type=content_type)})


def test_attachments_upload_list_and_download(api, ticket, agent):
    response = _upload(api, ticket.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    digest = hashlib.sha256(b"%PDF-1.7 passport").hexdigest()
    assert (body["filename"], body["content_type"], body["size"], body["sha256"], body["interaction_id"]) == (
        "scan.pdf", "application/pdf", 17, digest, None)
    event = events_of(ticket, action="attachment.added")[0]
    assert (event.actor, event.after) == (agent, {"filename": "scan.pdf", "size": 17, "sha256": digest})
    assert [a["id"] for a in api.get(f"/api/v1/tickets/{ticket.pk}/attachments").json()] == [body["id"]]
    download = api.get(f"/api/v1/attachments/{body['id']}/content")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 passport"
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;") and "scan.pdf" in download["Content-Disposition"]


def test_attachment_over_the_limit_is_refused_and_nothing_is_written(api, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with nothing_written():
        assert_problem(_upload(api, ticket.pk, content=b"x" * 11), 422, "attachments")
    assert _upload(api, ticket.pk, content=b"x" * 10).status_code == 201


def test_upload_bad_input(api, ticket):
    with nothing_written():
        assert_problem(api.post(f"/api/v1/tickets/{ticket.pk}/attachments", {}), 422, "file")
        assert_problem(api.post(f"/api/v1/tickets/{ticket.pk}/attachments", {"file": "not a file"}), 422, "file")
        assert_problem(_upload(api, 424242), 404)
        assert_problem(api.get("/api/v1/attachments/424242/content"), 404)
        assert_problem(api.get("/api/v1/tickets/424242/attachments"), 404)


def test_upload_with_a_nul_in_the_filename_and_type(api, ticket):
    boundary = "BoUnDaRy"
    raw = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\x00b.pdf\"\r\n"
           f"Content-Type: application/pdf\x00\r\n\r\n%PDF\r\n--{boundary}--\r\n").encode()
    response = api.post(f"/api/v1/tickets/{ticket.pk}/attachments", data=raw,
                        content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code in (201, 422), response.content
    if response.status_code == 201:
        row = Attachment.objects.get(pk=response.json()["id"])
        assert "\x00" not in row.filename + row.content_type
    else:
        assert_problem(response, 422)


def test_upload_to_a_closed_ticket_is_a_conflict(api, ticket):
    _record_resolution(api, ticket)
    patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "solved"})
    patch_json(api, f"/api/v1/tickets/{ticket.pk}", {"status": "closed"})
    with nothing_written():
        assert_problem(_upload(api, ticket.pk), 409)


def test_a_removed_document_is_offered_nowhere_and_its_file_is_deleted(api, ticket, actor, client, agent,
                                                                         django_capture_on_commit_callbacks):
    from caredesk.tickets.actions import NewAttachment

    kept = _upload(api, ticket.pk, name="kept.pdf", content=b"%PDF kept").json()
    photo = _upload(api, ticket.pk, name="card.jpg", content=b"\xff\xd8 photo of a card", content_type="image/jpeg")
    photo = Attachment.objects.get(pk=photo.json()["id"])
    on_email = actions.add_interaction(ticket, actor=actor, channel="email", direction="inbound", kind="message",
                                       body="photo", attachments=[NewAttachment("card.png", "image/png", b"png")])
    path = photo.file.path
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/attachments/{photo.pk}").status_code == 204
    assert not os.path.exists(path) and Attachment.with_removed.get(pk=photo.pk).removed_at is not None
    [on_email_document] = on_email.attachments.all()
    assert [a["id"] for a in api.get(f"/api/v1/tickets/{ticket.pk}/attachments").json()] == [
        kept["id"], on_email_document.pk]
    assert_problem(api.get(f"/api/v1/attachments/{photo.pk}/content"), 404)
    assert_problem(api.delete(f"/api/v1/attachments/{photo.pk}"), 404)  # removed already
    event = events_of(ticket, action="attachment.removed")[0]
    assert (event.actor, event.after["filename"]) == (agent, "card.jpg")

    record_resolution(ticket, actor)
    for status in ("solved", "closed"):
        actions.update_ticket(ticket, actor=actor, status=status)
    client.force_login(agent)  # the ticket page, on a closed ticket too
    removed = client.post(f"/tickets/{ticket.pk}/documents/{on_email_document.pk}/remove/", HTTP_HX_REQUEST="true")
    assert removed.status_code == 204 and removed["HX-Redirect"] == f"/tickets/{ticket.pk}/"
    assert on_email.attachments.count() == 0
    (entry,) = api.get(f"/api/v1/tickets/{ticket.pk}/timeline").json()
    assert entry["attachments"] == []
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "kept.pdf" in page and "card.jpg" not in page.split("Supporting documents")[1].split("</section>")[0]
    assert client.get(f"/tickets/{ticket.pk}/documents/{photo.pk}/").status_code == 404


def test_interaction_list_shows_attachments(api, ticket, actor):
    from caredesk.tickets.actions import NewAttachment

    actions.add_interaction(ticket, actor=actor, channel="email", direction="outbound", kind="message", body="see",
                            attachments=[NewAttachment("a.txt", "text/plain", b"a")])
    (entry,) = api.get(f"/api/v1/tickets/{ticket.pk}/timeline").json()
    assert [a["filename"] for a in entry["attachments"]] == ["a.txt"]
    assert Interaction.objects.get(pk=entry["id"]).attachments.count() == 1
