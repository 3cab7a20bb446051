"""The ticket unit of work (`tickets.actions.ticket_changes`): many tickets changed as one ticket is, the same
audit trail and signals, the same refusals, all or nothing per `changing` block, signals once the writes are
done, closed tickets untouched, tickets another transaction holds left out."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction

from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.models import Agent
from caredesk.customers.actions import create_order
from caredesk.customers.models import CustomerEvent
from caredesk.tickets import actions, signals
from caredesk.tickets.actions import ticket_changes
from caredesk.tickets.models import Group, Interaction, Ticket, TicketEvent
from tests.integration.helpers import nothing_written, record_resolution

PLAYBOOK = Actor.playbook("general_inquiry_follow_up", 1)


@pytest.fixture
def unresponsive(db):
    return Group.objects.get(name="Unresponsive Customers")


@pytest.fixture
def make_ticket(customer, actor):
    def make(subject="Where is my passport?", **fields):
        return actions.create_ticket(actor=actor, requester=customer, subject=subject, status="pending", **fields)
    return make


def trail(ticket):
    """A ticket's audit trail without ids: what a reader of the timeline sees."""
    return [(event.at, event.actor_kind, event.actor_label, event.action, event.field, event.before, event.after,
             event.interaction.body if event.interaction_id else None)
            for event in TicketEvent.objects.filter(ticket=ticket).select_related("interaction").order_by("at", "id")]


def state(ticket):
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (ticket.status, ticket.group_id, ticket.assignee_id, ticket.updated_at, ticket.solved_at, ticket.closed_at)


def notes(ticket):
    return list(Interaction.objects.filter(ticket=ticket).values_list(
        "channel", "direction", "kind", "body", "author_agent", "author_label", "occurred_at", "created_at"))


def test_many_tickets_end_as_one_ticket_does(frozen_clock, make_ticket, agent, unresponsive):
    one, many = make_ticket(), [make_ticket(), make_ticket()]
    frozen_clock.advance(timedelta(days=6))
    note = "customer unresponsive - closing ticket"
    fields = {"group": unresponsive, "assignee": agent, "status": "solved"}

    actions.add_interaction(one, actor=PLAYBOOK, channel="internal", direction="internal", kind="note", body=note)
    actions.update_ticket(one, actor=PLAYBOOK, **fields)
    with ticket_changes([ticket.pk for ticket in many], PLAYBOOK) as batch:
        batch.note(note)
        batch.set(**fields)

    expected = trail(one)
    assert [row[3] for row in expected[-5:]] == ["interaction.note", "group.changed", "assignee.changed",
                                                 "status.changed", "resolution.recorded"]  # the playbook's outcome
    for ticket in many:
        assert trail(ticket) == expected
        assert state(ticket) == state(one)
        assert state(ticket)[2] == agent.pk and state(ticket)[4] == frozen_clock.now()
        assert notes(ticket) == notes(one)
    event = TicketEvent.objects.get(ticket=many[0], action="interaction.note")
    assert event.interaction.ticket_id == many[0].pk


def test_signals_go_out_once_every_write_is_done(frozen_clock, make_ticket, unresponsive):
    received = []

    def on_interaction(sender, ticket, interaction, actor, **kwargs):
        written = Ticket.objects.filter(pk=ticket.pk, status="solved").exists()
        received.append(("interaction", ticket.pk, interaction.pk is not None, interaction.body, written))

    def on_change(sender, ticket, changes, actor, **kwargs):
        received.append(("changed", ticket.pk, ticket.status, changes))

    first, second = make_ticket(), make_ticket()
    signals.interaction_added.connect(on_interaction)
    signals.ticket_changed.connect(on_change)
    try:
        with ticket_changes([first.pk, second.pk], PLAYBOOK) as batch:
            for ticket in (first, second):
                with batch.changing(ticket.pk) as change:
                    change.note("bye")
                    change.set(group=unresponsive, status="solved")
            assert received == []  # nothing is sent while changes are staged
    finally:
        signals.interaction_added.disconnect(on_interaction)
        signals.ticket_changed.disconnect(on_change)
    changes = [("group", None, {"id": unresponsive.pk, "name": "Unresponsive Customers"}),
               ("status", "pending", "solved")]
    assert received == [  # in the order staged, each ticket as written, after every ticket was written
        ("interaction", first.pk, True, "bye", True), ("changed", first.pk, "solved", changes),
        ("interaction", second.pk, True, "bye", True), ("changed", second.pk, "solved", changes),
    ]


def test_order_status_changes_the_order_with_its_customer_event_and_the_ticket_records_it(
    frozen_clock, make_ticket, customer, actor,
):
    order = create_order(actor=actor, customer=customer, external_reference="PP-2", status="Processing")
    linked, without_order = make_ticket(order=order), make_ticket()
    frozen_clock.advance(timedelta(days=1))
    with ticket_changes([linked.pk, without_order.pk], PLAYBOOK) as batch:
        for ticket in (linked, without_order):
            with batch.changing(ticket.pk) as change:
                change.order_status(" Unresponsive ")
                change.note("@Roxy V customer unresponsive")

    assert [row[3:7] for row in trail(linked)[1:]] == [
        ("order.status.changed", "order_status", "Processing", "Unresponsive"),
        ("interaction.note", "", None, {"channel": "internal", "direction": "internal", "call_outcome": None,
                                        "has_call_notes": None}),
    ]
    order.refresh_from_db()
    assert (order.status, order.updated_at) == ("Unresponsive", frozen_clock.now())
    assert list(CustomerEvent.objects.filter(order=order, action="order.changed").values_list(
        "at", "actor_label", "field", "before", "after")) == [
        (frozen_clock.now(), PLAYBOOK.label, "status", "Processing", "Unresponsive"),
    ]
    assert [row[3] for row in trail(without_order)][-1] == "interaction.note"  # no order: only the note


def test_two_tickets_on_one_order_change_it_once(frozen_clock, make_ticket, customer, actor):
    order = create_order(actor=actor, customer=customer, external_reference="PP-9", status="Processing")
    first, second = make_ticket(order=order), make_ticket(order=order)
    with ticket_changes([first.pk, second.pk], PLAYBOOK) as batch:
        for ticket in (first, second):
            with batch.changing(ticket.pk) as change:
                change.order_status("Unresponsive")
                change.note("@Roxy V customer unresponsive")

    assert [row[3] for row in trail(first)[1:]] == ["order.status.changed", "interaction.note"]
    assert [row[3] for row in trail(second)[1:]] == ["interaction.note"]  # as update_order: nothing changed
    assert list(CustomerEvent.objects.filter(order=order, action="order.changed").values_list("before", "after")) == [
        ("Processing", "Unresponsive"),
    ]


def test_a_closed_ticket_is_refused_and_left_untouched(make_ticket, actor):
    ticket = make_ticket()
    record_resolution(ticket, actor)
    actions.update_ticket(ticket, actor=actor, status="solved")
    actions.update_ticket(ticket, actor=actor, status="closed")
    before = (trail(ticket), state(ticket), notes(ticket))
    with ticket_changes([ticket.pk], PLAYBOOK) as batch:
        with pytest.raises(Conflict), batch.changing(ticket.pk) as change:
            change.note("customer unresponsive - closing ticket")
    assert (trail(ticket), state(ticket), notes(ticket)) == before


@pytest.mark.parametrize("refused, error", [
    ({"status": "new"}, Conflict),  # pending cannot go back to new
    ({"status": "archived"}, Conflict),
    ({"subject": " "}, ValidationFailed),
])
def test_a_refused_change_stages_nothing_of_its_block(make_ticket, unresponsive, refused, error):
    ticket, other = make_ticket(), make_ticket()
    with nothing_written(), ticket_changes([ticket.pk], PLAYBOOK) as batch:
        with pytest.raises(error), batch.changing(ticket.pk) as change:
            change.note("first")
            change.set(group=unresponsive)
            change.set(**refused)
        assert batch.ticket(ticket.pk).group_id is None and batch.ticket(ticket.pk).status == "pending"
    with ticket_changes([other.pk], PLAYBOOK) as batch:  # the same block writes when nothing is refused
        batch.note("first")
    assert notes(other)[0][3] == "first"


def test_a_retired_group_and_a_deactivated_agent_are_refused(make_ticket, make_agent, unresponsive):
    ticket = make_ticket()
    gone = make_agent("gone")
    Agent.objects.filter(pk=gone.pk).update(is_active=False)  # test setup: deactivation has no action yet
    Group.objects.filter(pk=unresponsive.pk).update(active=False)  # configuration, done in the admin
    unresponsive.refresh_from_db()
    gone.refresh_from_db()
    with nothing_written(), ticket_changes([ticket.pk], PLAYBOOK) as batch:
        with pytest.raises(ValidationFailed) as retired:
            batch.set(group=unresponsive)
        with pytest.raises(ValidationFailed) as deactivated:
            batch.set(assignee=gone)
    assert (retired.value.field, deactivated.value.field) == ("group", "assignee")


def test_changes_staged_twice_on_one_ticket_accumulate(frozen_clock, make_ticket, unresponsive):
    ticket = make_ticket()
    with ticket_changes([ticket.pk], PLAYBOOK) as batch:
        batch.set(status="solved")
        batch.set(status="solved", group=unresponsive)
        with pytest.raises(Conflict):  # solved cannot become pending: the first block is seen
            batch.set(status="pending")
    assert [row[3:7] for row in trail(ticket)[-3:-1]] == [
        ("status.changed", "status", "pending", "solved"),
        ("group.changed", "group", None, {"id": unresponsive.pk, "name": "Unresponsive Customers"}),
    ]
    assert trail(ticket)[-1][3] == "resolution.recorded"  # the playbook's outcome, once
    assert state(ticket)[:2] == ("solved", unresponsive.pk)


def test_nothing_to_change_writes_nothing(make_ticket):
    ticket = make_ticket()
    with nothing_written(), ticket_changes([ticket.pk], PLAYBOOK) as batch, batch.changing(ticket.pk) as change:
        change.set(status="pending")
        change.order_status("Unresponsive")


def test_a_missing_ticket_is_refused_unless_skipped(make_ticket):
    with pytest.raises(Ticket.DoesNotExist):
        with ticket_changes([987654], PLAYBOOK):
            pass
    ticket = make_ticket()
    with ticket_changes([ticket.pk, 987654], PLAYBOOK, skip_locked=True) as batch:
        assert ticket.pk in batch and batch.busy == {987654}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks exist on PostgreSQL; SQLite has one writer")
def test_a_ticket_another_transaction_holds_is_left_out_not_waited_for(make_ticket):
    held, free = make_ticket(subject="Ann One"), make_ticket(subject="Bo Two")
    locked, release = threading.Event(), threading.Event()

    def agent_changing_the_ticket():
        with transaction.atomic():
            Ticket.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(30)
        connections.close_all()

    holder = threading.Thread(target=agent_changing_the_ticket)
    holder.start()
    try:
        assert locked.wait(10)
        with ticket_changes([held.pk, free.pk], PLAYBOOK, skip_locked=True) as batch:
            assert batch.busy == {held.pk} and free.pk in batch
            batch.note("2/3")
    finally:
        release.set()
        holder.join(10)
    assert notes(free)[0][3] == "2/3" and notes(held) == []
