"""The bulk ticket action (`tickets/bulk.py`): the same effect, audit trail and signals as the per-ticket
actions, the same refusals, all or nothing per staged list, closed tickets untouched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.core.models import Agent
from caredesk.customers.actions import create_order, update_order
from caredesk.customers.models import CustomerEvent
from caredesk.tickets import actions, signals
from caredesk.tickets.bulk import FieldChanges, Note, OrderStatus, TicketChanges
from caredesk.tickets.models import Group, Interaction, Ticket, TicketEvent
from tests.integration.helpers import nothing_written

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


def end_in_bulk(tickets, changes, actor=PLAYBOOK):
    with transaction.atomic():
        batch = TicketChanges([ticket.pk for ticket in tickets])
        for ticket in tickets:
            batch.stage(ticket.pk, actor, changes)
        batch.write()


def test_a_bulk_end_writes_what_the_per_ticket_actions_write(frozen_clock, make_ticket, agent, unresponsive):
    one_by_one, in_bulk, also_in_bulk = make_ticket(), make_ticket(), make_ticket()
    frozen_clock.advance(timedelta(days=6))
    note = "customer unresponsive - closing ticket"
    fields = {"group": unresponsive, "assignee": agent, "status": "solved"}

    actions.add_interaction(one_by_one, actor=PLAYBOOK, channel="internal", direction="internal", kind="note",
                            body=note)
    actions.update_ticket(one_by_one, actor=PLAYBOOK, **fields)
    end_in_bulk([in_bulk, also_in_bulk], [Note(note), FieldChanges(fields)])

    expected = trail(one_by_one)
    assert [row[3] for row in expected[-4:]] == ["interaction.note", "group.changed", "assignee.changed",
                                                 "status.changed"]
    for ticket in (in_bulk, also_in_bulk):
        assert trail(ticket) == expected
        assert state(ticket) == state(one_by_one)
        assert state(ticket)[2] == agent.pk and state(ticket)[4] == frozen_clock.now()
        assert notes(ticket) == notes(one_by_one)
    event = TicketEvent.objects.get(ticket=in_bulk, action="interaction.note")
    assert event.interaction.ticket_id == in_bulk.pk


def test_a_bulk_end_sends_the_signals_of_the_per_ticket_actions(frozen_clock, make_ticket, agent, unresponsive):
    received = []

    def on_interaction(sender, ticket, interaction, actor, **kwargs):
        received.append(("interaction", ticket.pk, interaction.pk is not None, interaction.body, actor))

    def on_change(sender, ticket, changes, actor, **kwargs):
        received.append(("changed", ticket.pk, ticket.status, changes, actor))

    signals.interaction_added.connect(on_interaction)
    signals.ticket_changed.connect(on_change)
    try:
        one_by_one, in_bulk = make_ticket(), make_ticket()
        actions.add_interaction(one_by_one, actor=PLAYBOOK, channel="internal", direction="internal", kind="note",
                                body="bye")
        actions.update_ticket(one_by_one, actor=PLAYBOOK, group=unresponsive, status="solved")
        end_in_bulk([in_bulk], [Note("bye"), FieldChanges({"group": unresponsive, "status": "solved"})])
    finally:
        signals.interaction_added.disconnect(on_interaction)
        signals.ticket_changed.disconnect(on_change)
    half = len(received) // 2
    assert len(received) == 4
    without_ticket = [[(kind, *rest) for kind, _, *rest in part] for part in (received[:half], received[half:])]
    assert without_ticket[1] == without_ticket[0]
    assert {pk for _, pk, *_ in received[half:]} == {in_bulk.pk}


def test_order_status_is_changed_with_the_customer_and_ticket_audit_of_the_per_ticket_path(
    frozen_clock, make_ticket, customer, actor,
):
    def linked(reference):
        order = create_order(actor=actor, customer=customer, external_reference=reference, status="Processing")
        return make_ticket(order=order)

    one_by_one, in_bulk, without_order = linked("PP-1"), linked("PP-2"), make_ticket()
    frozen_clock.advance(timedelta(days=1))
    _, changed = update_order(one_by_one.order, actor=PLAYBOOK, status="Unresponsive")
    for _, before, after in changed:
        actions.record_event(PLAYBOOK, one_by_one, "order.status.changed", field="order_status", before=before,
                             after=after)
    actions.add_interaction(one_by_one, actor=PLAYBOOK, channel="internal", direction="internal", kind="note",
                            body="@Roxy V customer unresponsive")
    end_in_bulk([in_bulk, without_order], [OrderStatus(" Unresponsive "), Note("@Roxy V customer unresponsive")])

    assert trail(in_bulk)[1:] == trail(one_by_one)[1:]  # after "ticket.created", which names the order
    assert [row[3] for row in trail(in_bulk)[1:]] == ["order.status.changed", "interaction.note"]
    for ticket in (one_by_one, in_bulk):
        ticket.order.refresh_from_db()
        assert (ticket.order.status, ticket.order.updated_at) == ("Unresponsive", frozen_clock.now())
    customer_events = [
        [(event.at, event.actor_label, event.action, event.field, event.before, event.after)
         for event in CustomerEvent.objects.filter(order=ticket.order, action="order.changed")]
        for ticket in (one_by_one, in_bulk)
    ]
    assert customer_events[0] == customer_events[1] and len(customer_events[0]) == 1
    assert [row[3] for row in trail(without_order)][-1] == "interaction.note"  # no order: only the note


def test_a_closed_ticket_is_refused_and_left_untouched(make_ticket, actor):
    ticket = make_ticket()
    actions.update_ticket(ticket, actor=actor, status="solved")
    actions.update_ticket(ticket, actor=actor, status="closed")
    before = (trail(ticket), state(ticket), notes(ticket))
    with transaction.atomic():
        batch = TicketChanges([ticket.pk])
        with pytest.raises(Conflict):
            batch.stage(ticket.pk, PLAYBOOK, [Note("customer unresponsive - closing ticket")])
        batch.write()
    assert (trail(ticket), state(ticket), notes(ticket)) == before


@pytest.mark.parametrize("refused, error", [
    (FieldChanges({"status": "new"}), Conflict),  # pending cannot go back to new
    (FieldChanges({"status": "archived"}), Conflict),
    (FieldChanges({"priority": 1}), ValidationFailed),  # not a field the bulk action changes
    (Note("   "), ValidationFailed),
])
def test_a_refused_change_stages_none_of_its_list(make_ticket, unresponsive, refused, error):
    ticket, other = make_ticket(), make_ticket()
    with nothing_written(), transaction.atomic():
        batch = TicketChanges([ticket.pk])
        with pytest.raises(error):
            batch.stage(ticket.pk, PLAYBOOK, [Note("first"), FieldChanges({"group": unresponsive}), refused])
        assert batch.ticket(ticket.pk).group_id is None and batch.ticket(ticket.pk).status == "pending"
        batch.write()
    end_in_bulk([other], [Note("first")])  # the same batch shape writes when nothing is refused
    assert notes(other)[0][3] == "first"


def test_a_retired_group_and_a_deactivated_agent_are_refused(make_ticket, make_agent, unresponsive):
    ticket = make_ticket()
    gone = make_agent("gone")
    Agent.objects.filter(pk=gone.pk).update(is_active=False)  # test setup: deactivation has no action yet
    Group.objects.filter(pk=unresponsive.pk).update(active=False)  # configuration, done in the admin
    unresponsive.refresh_from_db()
    gone.refresh_from_db()
    with nothing_written(), transaction.atomic():
        batch = TicketChanges([ticket.pk])
        with pytest.raises(ValidationFailed) as retired:
            batch.stage(ticket.pk, PLAYBOOK, [FieldChanges({"group": unresponsive})])
        with pytest.raises(ValidationFailed) as deactivated:
            batch.stage(ticket.pk, PLAYBOOK, [FieldChanges({"assignee": gone})])
        batch.write()
    assert (retired.value.field, deactivated.value.field) == ("group", "assignee")


def test_changes_staged_twice_on_one_ticket_accumulate(frozen_clock, make_ticket, unresponsive):
    ticket = make_ticket()
    with transaction.atomic():
        batch = TicketChanges([ticket.pk])
        batch.stage(ticket.pk, PLAYBOOK, [FieldChanges({"status": "solved"})])
        batch.stage(ticket.pk, PLAYBOOK, [FieldChanges({"status": "solved", "group": unresponsive})])
        with pytest.raises(Conflict):  # solved cannot become pending: the first staging is seen
            batch.stage(ticket.pk, PLAYBOOK, [FieldChanges({"status": "pending"})])
        batch.write()
    assert [row[3:7] for row in trail(ticket)[-2:]] == [
        ("status.changed", "status", "pending", "solved"),
        ("group.changed", "group", None, {"id": unresponsive.pk, "name": "Unresponsive Customers"}),
    ]
    assert state(ticket)[:2] == ("solved", unresponsive.pk)


def test_nothing_to_change_writes_nothing(make_ticket):
    ticket = make_ticket()
    with nothing_written(), transaction.atomic():
        batch = TicketChanges([ticket.pk])
        batch.stage(ticket.pk, PLAYBOOK, [FieldChanges({"status": "pending"}), OrderStatus("Unresponsive")])
        batch.write()


def test_two_tickets_on_one_order_change_it_once(frozen_clock, make_ticket, customer, actor):
    order = create_order(actor=actor, customer=customer, external_reference="PP-9", status="Processing")
    first, second = make_ticket(order=order), make_ticket(order=order)
    end_in_bulk([first, second], [OrderStatus("Unresponsive"), Note("@Roxy V customer unresponsive")])

    assert [row[3] for row in trail(first)[1:]] == ["order.status.changed", "interaction.note"]
    assert [row[3] for row in trail(second)[1:]] == ["interaction.note"]  # as update_order: nothing changed
    assert list(CustomerEvent.objects.filter(order=order, action="order.changed").values_list("before", "after")) == [
        ("Processing", "Unresponsive"),
    ]
