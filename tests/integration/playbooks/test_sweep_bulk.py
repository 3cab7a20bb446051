"""The sweep writes its batch's ticket changes through the bulk ticket action: the same notes, ticket
changes and audit events as the per-ticket path, the same refusals, and per-ticket writes kept apart."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction

from caredesk.core.audit import Actor
from caredesk.customers.models import CustomerEvent
from caredesk.playbooks import engine, runner
from caredesk.playbooks.models import PlaybookRun
from caredesk.playbooks.runner import sweep_all
from caredesk.playbooks.spec import AddInternalNote, SetFlag
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Interaction, Ticket, TicketEvent


def trail(ticket):
    """The ticket's audit trail after it was created, without ids."""
    events = TicketEvent.objects.filter(ticket=ticket).exclude(action="ticket.created").select_related("interaction")
    return [(event.at, event.actor_label, event.action, event.field, event.before, event.after,
             event.interaction.body if event.interaction_id else None) for event in events.order_by("at", "id")]


def ticket_row(ticket):
    return Ticket.objects.filter(pk=ticket.pk).values_list(
        "status", "group", "assignee", "updated_at", "solved_at", "closed_at").get()


def started(make_ticket, agent, **fields):
    ticket = make_ticket(**fields)
    update_ticket(ticket, actor=Actor.of_agent(agent), status="pending")
    return ticket, PlaybookRun.objects.get(ticket=ticket)


def sweep_until_done():
    while sweep_all():
        pass


def per_ticket_for(monkeypatch, ticket_ids):
    """Keep `ticket_ids` on the per-ticket path (the ticket actions), as if their decisions raised a flag."""
    writes = runner._ticket_writes

    def without(runs, decisions):
        kept = [(run, decision) for run, decision in zip(runs, decisions) if run.ticket_id not in ticket_ids]
        return writes([run for run, _ in kept], [decision for _, decision in kept])

    monkeypatch.setattr(runner, "_ticket_writes", without)


def test_a_swept_end_writes_what_the_per_ticket_path_writes(frozen_clock, agent, make_agent, make_ticket,
                                                             move_to_day, monkeypatch):
    make_agent("roxy", first_name="Roxy", last_name="V")  # the bot-issue variant's owner
    one_by_one, run = started(make_ticket, agent, name="Ann One")
    in_bulk, _ = started(make_ticket, agent, name="Bo Two")
    bot_one_by_one, _ = started(make_ticket, agent, name="Cy Three", ticket_type="bot_issue", industry="nexus")
    bot_in_bulk, _ = started(make_ticket, agent, name="Di Four", ticket_type="bot_issue", industry="nexus")
    per_ticket_for(monkeypatch, {one_by_one.pk, bot_one_by_one.pk})
    for day in (3, 5, 6):
        move_to_day(run, day)
        sweep_until_done()

    assert [row[2] for row in trail(in_bulk)[-5:]] == [  # the assignee was already the working agent
        "interaction.note", "group.changed", "status.changed", "task.missed", "playbook.ended",
    ]
    assert [row[2] for row in trail(bot_in_bulk)[-7:]] == [
        "order.status.changed", "interaction.note", "group.changed", "assignee.changed", "status.changed",
        "task.missed", "playbook.ended",
    ]
    for reference, ticket in ((one_by_one, in_bulk), (bot_one_by_one, bot_in_bulk)):
        assert trail(ticket) == trail(reference)
        assert ticket_row(ticket) == ticket_row(reference)
    assert Ticket.objects.get(pk=in_bulk.pk).status == "solved"
    assert Ticket.objects.get(pk=bot_in_bulk.pk).status == "open"
    orders = [ticket.order for ticket in Ticket.objects.filter(pk__in=[bot_one_by_one.pk, bot_in_bulk.pk])]
    assert {order.status for order in orders} == {"Unresponsive"}
    assert [CustomerEvent.objects.filter(order=order, action="order.changed").values_list("field", "after").get()
            for order in orders] == [("status", "Unresponsive")] * 2
    assert set(PlaybookRun.objects.values_list("status", flat=True)) == {"ended"}


def test_a_ticket_closed_under_a_running_end_is_left_untouched_and_its_run_retried(
    frozen_clock, agent, make_ticket, move_to_day,
):
    closed, run = started(make_ticket, agent, name="Ann One")
    other, _ = started(make_ticket, agent, name="Bo Two")
    move_to_day(run, 5)
    sweep_until_done()
    move_to_day(run, 6)
    # A change the sweep does not see coming (test setup: the actions would have stopped the run).
    Ticket.objects.filter(pk=closed.pk).update(status="closed")
    events_before = trail(closed)
    sweep_until_done()

    assert trail(closed) == events_before
    assert not Interaction.objects.filter(ticket=closed, body__contains="unresponsive").exists()
    run.refresh_from_db()
    assert run.status == "running" and run.failures == 1 and run.last_error.startswith("Conflict: A closed ticket")
    assert run.next_due_at > frozen_clock.now()
    assert Ticket.objects.get(pk=other.pk).status == "solved"
    assert PlaybookRun.objects.get(ticket=other).status == "ended"


def test_a_ticket_with_a_decision_written_at_once_keeps_every_run_on_the_per_ticket_path(make_ticket, agent):
    flagged, plain = make_ticket(name="Ann One"), make_ticket(name="Bo Two")
    runs = [PlaybookRun(ticket_id=flagged.pk), PlaybookRun(ticket_id=flagged.pk), PlaybookRun(ticket_id=plain.pk)]
    state = engine.RunState
    decisions = [engine.Decision(state, (AddInternalNote("a note"),)), engine.Decision(state, (SetFlag("flag"),)),
                 engine.Decision(state, (AddInternalNote("a note"),))]
    batch, busy = runner._ticket_writes(runs, decisions)
    assert plain.pk in batch and flagged.pk not in batch and not busy
    assert runner._ticket_writes(runs[1:2], decisions[1:2]) == (None, set())


def test_an_unassigned_ticket_ends_with_whoever_last_completed_a_task_else_a_note(
    frozen_clock, agent, make_agent, make_ticket, move_to_day,
):
    from caredesk.core.models import Agent
    from caredesk.playbooks.actions import complete_task
    from caredesk.playbooks.models import FollowUpTask

    other = make_agent("olga", first_name="Olga", last_name="Other")
    latest, run = started(make_ticket, agent, name="Ann One", assignee=None)
    earlier, _ = started(make_ticket, agent, name="Bo Two", assignee=None)
    nobody, _ = started(make_ticket, agent, name="Cy Three", assignee=None)
    completers = {latest.pk: (agent, other), earlier.pk: (other, agent), nobody.pk: (agent, agent)}
    for attempt, day in enumerate((None, 3)):
        if day:
            move_to_day(run, day)
            sweep_until_done()
        for ticket_id, by in completers.items():
            frozen_clock.advance(timedelta(minutes=1))
            complete_task(FollowUpTask.objects.get(ticket_id=ticket_id, status="open"), agent=by[attempt],
                          channels_tried=["email"], reached=False)
    Agent.objects.filter(pk=agent.pk).update(is_active=False)  # test setup: deactivation has no action yet
    for day in (5, 6):
        move_to_day(run, day)
        sweep_until_done()

    assert Ticket.objects.get(pk=latest.pk).assignee_id == other.pk  # the last to complete a task
    assert Ticket.objects.get(pk=earlier.pk).assignee_id == other.pk  # the last one left: the one before
    assert Ticket.objects.get(pk=nobody.pk).assignee_id is None
    assert Interaction.objects.filter(ticket=nobody, body__endswith="no active agent is the working agent.").exists()


@contextmanager
def held_by_another_transaction(ticket):
    """The ticket locked by another connection (an agent's change in progress) for the block's duration."""
    locked, release = threading.Event(), threading.Event()

    def agent_changing_the_ticket():
        with transaction.atomic():
            Ticket.objects.select_for_update().get(pk=ticket.pk)
            locked.set()
            release.wait(30)
        connections.close_all()

    holder = threading.Thread(target=agent_changing_the_ticket)
    holder.start()
    try:
        assert locked.wait(10)
        yield
    finally:
        release.set()
        holder.join(10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks exist on PostgreSQL; SQLite has one writer")
def test_a_held_ticket_on_the_per_ticket_path_is_skipped_too(make_ticket, agent):
    held, free = make_ticket(name="Ann One"), make_ticket(name="Bo Two")
    runs = [PlaybookRun(ticket_id=held.pk), PlaybookRun(ticket_id=free.pk)]
    decision = engine.Decision(engine.RunState, (AddInternalNote("2/3"), SetFlag("ready_for_refund_escalation")))
    with held_by_another_transaction(held), transaction.atomic():
        batch, busy = runner._ticket_writes(runs, [decision, decision])
    assert batch is None and busy == {held.pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks exist on PostgreSQL; SQLite has one writer")
def test_a_ticket_an_agent_is_changing_is_skipped_not_waited_for(frozen_clock, agent, make_ticket, move_to_day):
    """An agent's change holds the ticket, then its runs; the sweep holds runs, then tickets. Waiting for the
    ticket could deadlock, so the sweep leaves it for the next sweep and ends the other tickets' runs."""
    busy, run = started(make_ticket, agent, name="Ann One")
    other, _ = started(make_ticket, agent, name="Bo Two")
    move_to_day(run, 6)
    with held_by_another_transaction(busy):
        sweep_until_done()
        run.refresh_from_db()
        assert run.status == "running" and run.failures == 0
        assert run.next_due_at == frozen_clock.now() + runner.BUSY_TICKET_RETRY
        assert Ticket.objects.get(pk=busy.pk).status == "pending"
        assert Ticket.objects.get(pk=other.pk).status == "solved"
    frozen_clock.advance(runner.BUSY_TICKET_RETRY)
    sweep_until_done()
    assert Ticket.objects.get(pk=busy.pk).status == "solved"
    assert PlaybookRun.objects.get(pk=run.pk).status == "ended"
