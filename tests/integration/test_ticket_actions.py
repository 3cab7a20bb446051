"""Tickets, interactions and supporting documents: each action's effect and its TicketEvent."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import override_settings

from caredesk.core import roles
from caredesk.core.actions import deactivate_agent
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.customers.actions import create_customer, create_order
from caredesk.core.models import Agent
from caredesk.tickets import actions, signals
from caredesk.tickets.actions import NewAttachment
from caredesk.tickets.models import Attachment, Category, Group, Interaction, Ticket, TicketType
from tests.integration.helpers import events_of, nothing_written
from tests.integration.helpers import record_resolution


def entry(model, key):
    return model.objects.get(key=key)


def test_create_ticket_with_every_field(frozen_clock, customer, order, agent, actor):
    refund = entry(TicketType, "refund_request")
    billing = entry(Category, "billing")
    group = entry(Group, "website_care")
    ticket = actions.create_ticket(
        actor=actor, requester=customer, subject="  Refund please ", description="Charged twice.",
        ticket_type=refund, category=billing, tags=["Refund", "refund", "double charge"], priority=3,
        status="open", group=group, assignee=agent, order=order, channel="email",
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.subject, ticket.description, ticket.status, ticket.priority_name, ticket.channel) == (
        "Refund please", "Charged twice.", "open", "high", "email")
    assert (ticket.ticket_type, ticket.category, ticket.group, ticket.assignee, ticket.order) == (
        refund, billing, group, agent, order)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["double-charge", "refund"]
    assert ticket.number == ticket.pk and ticket.created_at == ticket.updated_at == frozen_clock.now()
    (event,) = events_of(ticket)
    assert (event.actor, event.actor_kind, event.action, event.field, event.before) == (
        agent, "agent", "ticket.created", "", None)
    assert event.at == frozen_clock.now()
    assert event.after == {
        "subject": "Refund please", "status": "open", "priority": "high",
        "requester": {"id": customer.pk, "name": "Dana Whitfield"},
        "ticket_type": {"id": refund.pk, "name": "Refund request"}, "category": {"id": billing.pk, "name": "Billing"},
        "group": {"id": group.pk, "name": "Website Care"}, "assignee": {"id": agent.pk, "name": "Maria Lopez"},
        "order": {"id": order.pk, "name": "PP-1001"}, "channel": "email", "tags": ["refund", "double-charge"],
        "follows_up": None,
    }


def test_create_ticket_with_attachments(customer, actor, agent):
    ticket = actions.create_ticket(actor=actor, requester=customer, subject="Docs",
                                   attachments=[NewAttachment("C:\\scans\\passport.pdf", "application/pdf", b"%PDF")])
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.filename, attachment.content_type, attachment.size) == ("passport.pdf", "application/pdf", 4)
    assert attachment.sha256 == hashlib.sha256(b"%PDF").hexdigest()
    assert attachment.file.read() == b"%PDF"
    assert [e.action for e in events_of(ticket)] == ["ticket.created", "attachment.added"]
    added = events_of(ticket, action="attachment.added")[0]
    assert added.actor == agent and added.after == {"filename": "passport.pdf", "size": 4,
                                                    "sha256": attachment.sha256}


@pytest.fixture
def retired_type(db):
    TicketType.objects.filter(key="bot_issue").update(active=False)  # configuration, done in the admin
    return entry(TicketType, "bot_issue")


@pytest.mark.parametrize(("fields", "field"), [
    ({"subject": ""}, "subject"),
    ({"subject": "   "}, "subject"),
    ({"subject": "x" * 251}, "subject"),
    ({"priority": 9}, "priority"),
    ({"status": "solved"}, "status"),
    ({"status": "closed"}, "status"),
    ({"channel": "pigeon"}, "channel"),
    ({"tags": ["ok", "no/slash"]}, "tags[1]"),
    ({"tags": [""]}, "tags[0]"),
    ({"tags": ["x" * 65]}, "tags[0]"),
])
def test_create_ticket_refuses_bad_input_and_writes_nothing(customer, actor, fields, field):
    fields = {"subject": "Help", **fields}
    with nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            actions.create_ticket(actor=actor, requester=customer, **fields)
    assert caught.value.field == field


def test_create_ticket_refuses_a_retired_type_a_deactivated_assignee_and_a_foreign_order(
    customer, actor, order, make_agent, retired_type,
):
    gone = make_agent("gone")
    Agent.objects.filter(pk=gone.pk).update(is_active=False)  # test setup: deactivation has no action yet
    gone.refresh_from_db()
    stranger = create_customer(actor=actor, name="Stranger")
    big = NewAttachment("big.bin", "application/octet-stream", b"x" * 11)
    cases = [({"ticket_type": retired_type}, "ticket_type"), ({"assignee": gone}, "assignee"),
             ({"requester": stranger, "order": order}, "order")]
    for fields, field in cases:
        fields = {"requester": customer, **fields}
        with nothing_written():
            with pytest.raises(ValidationFailed) as caught:
                actions.create_ticket(actor=actor, subject="Help", **fields)
        assert caught.value.field == field
    with override_settings(ATTACHMENT_MAX_BYTES=10), nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            actions.create_ticket(actor=actor, requester=customer, subject="Help",
                                  attachments=[NewAttachment("ok.txt", "text/plain", b"ok"), big])
    assert caught.value.field == "attachments"


def test_update_ticket_records_one_event_per_changed_field(frozen_clock, ticket, customer, order, agent, actor):
    frozen_clock.advance(timedelta(minutes=5))
    group = entry(Group, "unresponsive_customers")
    general = entry(TicketType, "general_inquiry")
    actions.update_ticket(ticket, actor=actor, subject="Passport status", priority=4, status="pending",
                          group=group, assignee=agent, tags=["Passport", "waiting"], ticket_type=general,
                          order=order, description="Updated.")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.subject, ticket.priority_name, ticket.status, ticket.group, ticket.assignee) == (
        "Passport status", "urgent", "pending", group, agent)
    assert ticket.updated_at == frozen_clock.now()
    changes = {e.field: (e.action, e.before, e.after) for e in events_of(ticket, action__endswith=".changed")}
    assert changes == {
        "subject": ("subject.changed", "Where is my passport?", "Passport status"),
        "description": ("description.changed", "It has been three weeks.", "Updated."),
        "priority": ("priority.changed", "medium", "urgent"),
        "status": ("status.changed", "new", "pending"),
        "group": ("group.changed", None, {"id": group.pk, "name": "Unresponsive Customers"}),
        "assignee": ("assignee.changed", None, {"id": agent.pk, "name": "Maria Lopez"}),
        "ticket_type": ("ticket_type.changed", None, {"id": general.pk, "name": "General inquiry"}),
        "order": ("order.changed", None, {"id": order.pk, "name": "PP-1001"}),
        "tags": ("tags.changed", [], ["passport", "waiting"]),
    }
    assert all(e.actor == agent and e.at == frozen_clock.now() for e in events_of(ticket, action__endswith=".changed"))


def test_update_ticket_without_a_real_change_records_nothing(ticket, actor):
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    actions.update_ticket(ticket, actor=actor, subject="Where is my passport?", status="new", priority=2, tags=[])
    assert len(events_of(ticket)) == 1
    assert Ticket.objects.get(pk=ticket.pk).updated_at == before


def test_tags_are_replaced_and_recorded_sorted(ticket, actor):
    actions.update_ticket(ticket, actor=actor, tags=["b", "a"])
    actions.update_ticket(ticket, actor=actor, tags=["a", "c"])
    assert sorted(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True)) == ["a", "c"]
    last = events_of(ticket, action="tags.changed")[-1]
    assert (last.before, last.after) == (["a", "b"], ["a", "c"])


def test_unassigning_records_before_and_after(ticket, agent, actor):
    actions.update_ticket(ticket, actor=actor, assignee=agent)
    actions.update_ticket(ticket, actor=actor, assignee=None)
    last = events_of(ticket, action="assignee.changed")[-1]
    assert (last.before, last.after) == ({"id": agent.pk, "name": "Maria Lopez"}, None)


@pytest.mark.parametrize(("changes", "field"), [
    ({"subject": ""}, "subject"),
    ({"priority": 0}, "priority"),
    ({"status": "closed"}, "status"),
    ({"status": "reopened"}, "status"),
    ({"channel": "sms"}, "channel"),
    ({"follows_up": None}, "follows_up"),
    ({"created_at": None}, "created_at"),
    ({"tags": ["bad tag!"]}, "tags[0]"),
])
def test_update_ticket_refuses_bad_changes_and_writes_nothing(ticket, actor, changes, field):
    with nothing_written():
        with pytest.raises((ValidationFailed, Conflict)) as caught:
            actions.update_ticket(ticket, actor=actor, **{"subject": "Changed too", **changes})
    assert caught.value.field == field
    assert Ticket.objects.get(pk=ticket.pk).subject == "Where is my passport?"


def test_refused_update_leaves_the_tags_alone(ticket, actor):
    actions.update_ticket(ticket, actor=actor, tags=["keep"])
    with nothing_written():
        with pytest.raises(Conflict):
            actions.update_ticket(ticket, actor=actor, tags=["other"], status="closed")
    assert list(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True)) == ["keep"]


def test_solving_stamps_solved_at_and_reopening_clears_it(frozen_clock, ticket, actor):
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status="solved")
    assert Ticket.objects.get(pk=ticket.pk).solved_at == frozen_clock.now()
    frozen_clock.advance(timedelta(hours=1))
    actions.update_ticket(ticket, actor=actor, status="open")
    reopened = Ticket.objects.get(pk=ticket.pk)
    assert reopened.solved_at is None and reopened.status == "open"
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status="solved")
    frozen_clock.advance(timedelta(hours=1))
    actions.update_ticket(ticket, actor=actor, status="closed")
    closed = Ticket.objects.get(pk=ticket.pk)
    assert closed.closed_at == frozen_clock.now() and closed.is_closed
    assert [(e.before, e.after) for e in events_of(ticket, field="status")] == [
        ("new", "solved"), ("solved", "open"), ("open", "solved"), ("solved", "closed")]


def test_a_closed_ticket_cannot_change(ticket, actor):
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status="solved")
    actions.update_ticket(ticket, actor=actor, status="closed")
    attempts = [
        lambda: actions.update_ticket(ticket, actor=actor, subject="New subject"),
        lambda: actions.update_ticket(ticket, actor=actor, status="open"),
        lambda: actions.update_ticket(ticket, actor=actor, status="closed"),
        lambda: actions.add_interaction(ticket, actor=actor, channel="internal", direction="internal",
                                        kind="note", body="late note"),
        lambda: actions.add_supporting_document(ticket, actor=actor,
                                                attachment=NewAttachment("a.txt", "text/plain", b"a")),
    ]
    for attempt in attempts:
        with nothing_written():
            with pytest.raises(Conflict, match="closed ticket cannot change"):
                attempt()
    assert Ticket.objects.get(pk=ticket.pk).subject == "Where is my passport?"


def test_public_reply_stamps_the_first_response(frozen_clock, ticket, agent, actor):
    frozen_clock.advance(timedelta(minutes=30))
    reply = actions.add_interaction(ticket, actor=actor, channel="email", direction="outbound", kind="message",
                                    body="We are on it.")
    ticket.refresh_from_db()
    assert ticket.first_response_at == frozen_clock.now() == ticket.updated_at
    assert (reply.author_agent, reply.author_name, reply.is_public) == (agent, "Maria Lopez", True)
    (event,) = events_of(ticket, action="interaction.message")
    assert (event.actor, event.interaction, event.field, event.before) == (agent, reply, "", None)
    assert event.after == {"channel": "email", "direction": "outbound", "call_outcome": None,
                           "has_call_notes": None}
    frozen_clock.advance(timedelta(minutes=30))
    actions.add_interaction(ticket, actor=actor, channel="email", direction="outbound", kind="message", body="2")
    assert Ticket.objects.get(pk=ticket.pk).first_response_at == reply.occurred_at


def test_internal_note(ticket, agent, actor):
    note = actions.add_interaction(ticket, actor=actor, channel="internal", direction="internal", kind="note",
                                   body="Checked with back office.")
    assert not note.is_public
    assert Ticket.objects.get(pk=ticket.pk).first_response_at is None
    (event,) = events_of(ticket, action="interaction.note")
    assert event.actor == agent and event.after["direction"] == "internal"


def test_logged_call_with_outcome_and_call_notes(ticket, agent, actor):
    notes = {"caller_name": "Dana", "call_type": "Inbound", "customer_type": "Homeowner",
             "reason_for_call": "Status", "actions_taken": " Gave ETA "}
    call = actions.add_interaction(ticket, actor=actor, channel="phone", direction="inbound", kind="call",
                                   call_outcome="answered", call_notes=notes)
    call = Interaction.objects.get(pk=call.pk)
    assert (call.caller_name, call.call_type, call.call_customer_type, call.reason_for_call,
            call.actions_taken) == ("Dana", "Inbound", "Homeowner", "Status", "Gave ETA")
    assert call.has_call_notes and call.call_outcome == "answered"
    (event,) = events_of(ticket, action="interaction.call")
    assert event.actor == agent and event.after == {
        "channel": "phone", "direction": "inbound", "call_outcome": "answered", "has_call_notes": True}


def test_call_without_full_notes(ticket, actor):
    actions.add_interaction(ticket, actor=actor, channel="voicemail", direction="outbound", kind="call",
                            call_outcome="voicemail_left", call_notes={"caller_name": "Maria"})
    assert events_of(ticket, action="interaction.call")[0].after["has_call_notes"] is False


def test_logged_sms_with_attachment(ticket, agent, actor):
    sms = actions.add_interaction(ticket, actor=actor, channel="sms", direction="outbound", kind="message",
                                  body="Hi Dana", attachments=[NewAttachment("pic.png", "image/png", b"\x89PNG")])
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.interaction == sms
    ours = [e.action for e in events_of(ticket) if e.action.split(".")[0] in {"ticket", "interaction", "attachment"}]
    assert ours == ["ticket.created", "interaction.message", "attachment.added"]
    assert events_of(ticket, action="attachment.added")[0].interaction == sms


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "fax"}, "kind"),
    ({"channel": "pigeon"}, "channel"),
    ({"direction": "sideways"}, "direction"),
    ({"kind": "note", "channel": "internal", "direction": "internal", "body": "  "}, "body"),
    ({"kind": "call", "channel": "phone", "call_outcome": ""}, "call_outcome"),
    ({"kind": "call", "channel": "phone", "call_outcome": "exploded"}, "call_outcome"),
    ({"kind": "call", "channel": "email", "call_outcome": "answered"}, "channel"),
    ({"channel": "phone"}, "channel"),
    ({"channel": "internal"}, "channel"),
    ({"direction": "internal"}, "direction"),
    ({"call_outcome": "answered"}, "call_outcome"),
    ({"kind": "call", "channel": "phone", "call_outcome": "answered", "call_notes": {"mood": "calm"}},
     "call_notes"),
])
def test_add_interaction_refuses_bad_input_and_writes_nothing(ticket, actor, fields, field):
    fields = {"channel": "email", "direction": "outbound", "kind": "message", "body": "Hello", **fields}
    with nothing_written():
        with pytest.raises(ValidationFailed) as caught:
            actions.add_interaction(ticket, actor=actor, **fields)
    assert caught.value.field == field


@pytest.mark.parametrize("status", ["pending", "solved"])
def test_customer_reply_reopens_a_pending_or_solved_ticket(frozen_clock, ticket, customer, actor, status):
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status=status)
    frozen_clock.advance(timedelta(hours=3))
    message = actions.receive_customer_message(ticket, customer=customer, channel="email", body="Any news?")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == "open" and ticket.solved_at is None and ticket.updated_at == frozen_clock.now()
    assert message.ticket_id == ticket.pk and message.author_customer == customer
    assert message.direction == "inbound" and message.author_name == "Dana Whitfield"
    reopened = events_of(ticket, action="status.changed")[-1]
    assert (reopened.actor_kind, reopened.actor_label, reopened.actor, reopened.before, reopened.after) == (
        "customer", "Dana Whitfield", None, status, "open")
    assert events_of(ticket, action="interaction.message")[0].actor_kind == "customer"


@pytest.mark.parametrize("status", ["new", "open", "on_hold"])
def test_customer_reply_leaves_other_statuses(ticket, customer, actor, status):
    if status != "new":
        actions.update_ticket(ticket, actor=actor, status=status)
    actions.receive_customer_message(ticket, customer=customer, channel="email", body="Me again")
    assert Ticket.objects.get(pk=ticket.pk).status == status
    assert len(events_of(ticket, action="status.changed")) == (0 if status == "new" else 1)


def test_an_agent_reply_does_not_reopen(ticket, actor):
    actions.update_ticket(ticket, actor=actor, status="pending")
    actions.add_interaction(ticket, actor=actor, channel="email", direction="outbound", kind="message", body="x")
    assert Ticket.objects.get(pk=ticket.pk).status == "pending"


def test_customer_message_to_a_closed_ticket_creates_a_linked_follow_up(
    frozen_clock, customer, order, actor, agent,
):
    ticket = actions.create_ticket(actor=actor, requester=customer, subject="Passport", order=order,
                                   ticket_type=entry(TicketType, "general_inquiry"), tags=["passport"],
                                   group=entry(Group, "general_support"), assignee=agent)
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status="solved")
    actions.update_ticket(ticket, actor=actor, status="closed")
    frozen_clock.advance(timedelta(days=10))
    message = actions.receive_customer_message(ticket, customer=customer, channel="email", body="It never came")
    follow_up = Ticket.objects.get(follows_up=ticket)
    assert message.ticket == follow_up and follow_up.pk != ticket.pk
    assert (follow_up.subject, follow_up.description, follow_up.status, follow_up.channel) == (
        "Re: Passport", "It never came", "new", "email")
    assert (follow_up.requester, follow_up.order, follow_up.ticket_type, follow_up.group, follow_up.assignee) == (
        customer, order, ticket.ticket_type, ticket.group, agent)
    assert list(follow_up.tags.values_list("name", flat=True)) == ["passport"]
    original = Ticket.objects.get(pk=ticket.pk)
    assert original.status == "closed" and original.closed_at < frozen_clock.now()
    link = events_of(ticket, action="follow_up.created")[0]
    assert (link.actor_kind, link.after) == ("customer", {"ticket": follow_up.pk})
    created = events_of(follow_up)[0]
    assert created.action == "ticket.created" and created.after["follows_up"] == ticket.pk
    assert [e.action for e in events_of(follow_up)] == ["ticket.created", "interaction.message"]


def test_a_follow_up_of_a_deactivated_agents_ticket_is_left_unassigned(frozen_clock, customer, actor, make_agent):
    leaver = make_agent("leaver")
    ticket = actions.create_ticket(actor=actor, requester=customer, subject="Passport", assignee=leaver)
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status="solved")
    actions.update_ticket(ticket, actor=actor, status="closed")
    deactivate_agent(leaver)
    message = actions.receive_customer_message(ticket, customer=customer, channel="email", body="Any news?")
    assert message.ticket.assignee is None


def test_add_supporting_document(frozen_clock, ticket, agent, actor):
    frozen_clock.advance(timedelta(minutes=1))
    row = actions.add_supporting_document(ticket, actor=actor,
                                          attachment=NewAttachment("../../etc/passwd", "", b"root"))
    row = Attachment.objects.get(pk=row.pk)
    assert (row.filename, row.content_type, row.size, row.interaction) == (
        "passwd", "application/octet-stream", 4, None)
    assert row.file.name.startswith(f"tickets/{ticket.pk}/") and "passwd" not in row.file.name
    assert Ticket.objects.get(pk=ticket.pk).updated_at == frozen_clock.now()
    event = events_of(ticket, action="attachment.added")[0]
    assert (event.actor, event.interaction, event.before) == (agent, None, None)
    assert event.after == {"filename": "passwd", "size": 4, "sha256": hashlib.sha256(b"root").hexdigest()}


def test_control_characters_are_kept_out_of_names_and_types(ticket, actor):
    row = actions.add_supporting_document(
        ticket, actor=actor, attachment=NewAttachment("re\x00port\r\n.pdf", "application/pdf\x00\n", b"%PDF"))
    row = Attachment.objects.get(pk=row.pk)
    assert (row.filename, row.content_type) == ("report.pdf", "application/pdf")


def test_an_attachment_over_the_limit_is_refused_and_nothing_is_written(ticket, actor, settings, tmp_path):
    settings.MEDIA_ROOT, settings.ATTACHMENT_MAX_BYTES = tmp_path, 1024
    actions.add_supporting_document(ticket, actor=actor, attachment=NewAttachment("ok", "", b"x" * 1024))
    with nothing_written():
        with pytest.raises(ValidationFailed, match="limited to 1024 bytes") as caught:
            actions.add_supporting_document(ticket, actor=actor, attachment=NewAttachment("big", "", b"x" * 1025))
    assert caught.value.field == "attachments"
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_an_interaction_with_an_attachment_over_the_limit_writes_nothing(ticket, actor, settings, tmp_path):
    settings.MEDIA_ROOT, settings.ATTACHMENT_MAX_BYTES = tmp_path, 4
    with nothing_written():
        with pytest.raises(ValidationFailed):
            actions.add_interaction(ticket, actor=actor, channel="email", direction="outbound", kind="message",
                                    body="See attached", attachments=[NewAttachment("a", "", b"1234"),
                                                                      NewAttachment("b", "", b"12345")])
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def _solved(ticket, actor):
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status="solved")
    return Ticket.objects.get(pk=ticket.pk)


def test_solved_tickets_close_after_the_configured_delay_and_not_before(frozen_clock, customer, actor, settings):
    assert settings.SOLVED_TICKET_CLOSE_DAYS == 4
    first = _solved(actions.create_ticket(actor=actor, requester=customer, subject="One"), actor)
    frozen_clock.advance(timedelta(hours=1))
    second = _solved(actions.create_ticket(actor=actor, requester=customer, subject="Two"), actor)
    open_one = actions.create_ticket(actor=actor, requester=customer, subject="Open")
    frozen_clock.advance(timedelta(days=4) - timedelta(hours=1, seconds=1))
    assert actions.close_solved_tickets() == 0
    assert Ticket.objects.get(pk=first.pk).status == "solved"
    frozen_clock.advance(timedelta(seconds=1))
    assert actions.close_solved_tickets() == 1
    closed = Ticket.objects.get(pk=first.pk)
    assert (closed.status, closed.closed_at, closed.updated_at) == ("closed", frozen_clock.now(), frozen_clock.now())
    assert Ticket.objects.get(pk=second.pk).status == "solved"
    event = events_of(first, action="status.changed")[-1]
    assert (event.actor_kind, event.actor_label, event.actor, event.field, event.before, event.after) == (
        "system", "auto-close", None, "status", "solved", "closed")
    frozen_clock.advance(timedelta(hours=1))
    assert actions.close_solved_tickets() == 1
    assert Ticket.objects.get(pk=second.pk).status == "closed"
    assert Ticket.objects.get(pk=open_one.pk).status == "new"


def test_close_solved_tickets_is_idempotent(frozen_clock, ticket, actor):
    _solved(ticket, actor)
    frozen_clock.advance(timedelta(days=5))
    assert actions.close_solved_tickets() == 1
    with nothing_written():
        assert actions.close_solved_tickets() == 0
        assert actions.close_solved_tickets() == 0
    assert len(events_of(ticket, action="status.changed", after="closed")) == 1


def test_the_close_delay_is_configurable(frozen_clock, ticket, actor, settings):
    settings.SOLVED_TICKET_CLOSE_DAYS = 1
    _solved(ticket, actor)
    frozen_clock.advance(timedelta(days=1))
    assert actions.close_solved_tickets() == 1
    other = _solved(actions.create_ticket(actor=actor, requester=ticket.requester, subject="x"), actor)
    frozen_clock.advance(timedelta(minutes=10))
    assert actions.close_solved_tickets(older_than=timedelta(minutes=11)) == 0
    assert actions.close_solved_tickets(older_than=timedelta(minutes=10)) == 1
    assert Ticket.objects.get(pk=other.pk).status == "closed"


def test_a_reopened_ticket_is_not_auto_closed(frozen_clock, ticket, customer, actor):
    _solved(ticket, actor)
    frozen_clock.advance(timedelta(days=1))
    actions.receive_customer_message(ticket, customer=customer, channel="email", body="Not solved!")
    frozen_clock.advance(timedelta(days=10))
    assert actions.close_solved_tickets() == 0
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_actions_send_signals_inside_their_transaction(ticket, customer, actor):
    received = []

    def receiver(signal_name):
        def handler(sender, **kwargs):
            received.append((signal_name, kwargs["ticket"].pk))
        return handler

    handlers = {name: receiver(name) for name in ("created", "changed", "interaction")}
    signals.ticket_created.connect(handlers["created"])
    signals.ticket_changed.connect(handlers["changed"])
    signals.interaction_added.connect(handlers["interaction"])
    try:
        other = actions.create_ticket(actor=actor, requester=customer, subject="Signals")
        actions.update_ticket(other, actor=actor, status="pending")
        actions.receive_customer_message(other, customer=customer, channel="email", body="Hi")
    finally:
        signals.ticket_created.disconnect(handlers["created"])
        signals.ticket_changed.disconnect(handlers["changed"])
        signals.interaction_added.disconnect(handlers["interaction"])
    assert received == [("created", other.pk), ("changed", other.pk), ("interaction", other.pk),
                        ("changed", other.pk)]


def test_back_office_actor_is_recorded(make_agent, ticket):
    clerk = make_agent("clerk", roles.BACK_OFFICE)
    actions.update_ticket(ticket, actor=Actor.of_agent(clerk), priority=1)
    event = events_of(ticket, action="priority.changed")[0]
    assert (event.actor, event.actor_label, event.before, event.after) == (clerk, "clerk", "medium", "low")
