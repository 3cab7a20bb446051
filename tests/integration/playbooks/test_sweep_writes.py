"""The sweep writes its batch's ticket changes through one ticket unit of work: every ticket of the batch gets
the notes, ticket changes and audit events one ticket gets, the same refusals, and a ticket another
transaction holds is left for the next sweep."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction

from caredesk.core.audit import Actor
from caredesk.customers.models import CustomerEvent
from caredesk.playbooks import runner
from caredesk.playbooks.models import PlaybookRun
from caredesk.playbooks.runner import sweep_all
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Interaction, Ticket, TicketEvent


def trail(ticket):
    """The ticket's audit trail after it was created, without ids; without what other apps write in reply to the
    playbook's changes (the satisfaction survey a solve schedules, which names its survey by id)."""
    events = (TicketEvent.objects.filter(ticket=ticket).exclude(action="ticket.created")
              .exclude(action__startswith="survey.").select_related("interaction"))
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


def test_a_swept_end_writes_the_same_for_every_ticket_of_the_batch(frozen_clock, agent, make_agent, make_ticket,
                                                                   move_to_day):
    make_agent("roxy", first_name="Roxy", last_name="V")  # the bot-issue variant's owner
    first, run = started(make_ticket, agent, name="Ann One")
    second, _ = started(make_ticket, agent, name="Bo Two")
    bot_first, _ = started(make_ticket, agent, name="Cy Three", ticket_type="bot_issue", industry="nexus")
    bot_second, _ = started(make_ticket, agent, name="Di Four", ticket_type="bot_issue", industry="nexus")
    for day in (3, 5, 6):
        move_to_day(run, day)
        sweep_until_done()

    assert [row[2] for row in trail(second)[-6:]] == [  # the assignee was already the working agent
        "interaction.note", "group.changed", "status.changed", "resolution.recorded", "task.missed", "playbook.ended",
    ]
    assert [row[2] for row in trail(bot_second)[-7:]] == [
        "order.status.changed", "interaction.note", "group.changed", "assignee.changed", "status.changed",
        "task.missed", "playbook.ended",
    ]
    for reference, ticket in ((first, second), (bot_first, bot_second)):
        assert trail(ticket) == trail(reference)
        assert ticket_row(ticket) == ticket_row(reference)
    assert Ticket.objects.get(pk=second.pk).status == "solved"
    assert Ticket.objects.get(pk=bot_second.pk).status == "open"
    orders = [ticket.order for ticket in Ticket.objects.filter(pk__in=[bot_first.pk, bot_second.pk])]
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
