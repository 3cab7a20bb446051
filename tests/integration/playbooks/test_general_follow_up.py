"""The general-inquiry follow-up SOP run by the real runner through the real actions."""

from __future__ import annotations

from caredesk.core.audit import Actor
from caredesk.playbooks.actions import complete_task
from caredesk.playbooks.models import FollowUpTask, PlaybookRun
from caredesk.playbooks.runner import sweep_all
from caredesk.tickets.actions import update_ticket
from caredesk.tickets.models import Interaction


def notes(ticket):
    return list(Interaction.objects.filter(ticket=ticket, kind="note").values_list("body", flat=True))


def open_task(ticket):
    return FollowUpTask.objects.get(ticket=ticket, status="open")


def test_three_attempts_then_closed_as_unresponsive(frozen_clock, agent, make_ticket, move_to_day):
    ticket = make_ticket(order=True, phones=["+1 415 555 0132"])
    update_ticket(ticket, actor=Actor.of_agent(agent), status="pending")
    run = PlaybookRun.objects.get(ticket=ticket)
    task = open_task(ticket)
    assert task.day == 1 and task.planned_channels == ["email", "call", "text"]

    complete_task(task, agent=agent, channels_tried=["email", "call", "text"], reached=False)
    assert notes(ticket) == ["1/3"]
    for day, note in ((3, "2/3"), (5, "3/3")):
        move_to_day(run, day)
        sweep_all()
        task = open_task(ticket)
        assert task.day == day
        complete_task(task, agent=agent, channels_tried=["email", "call", "text"], reached=False)
        assert notes(ticket)[-1] == note
    move_to_day(run, 6)
    sweep_all()
    ticket.refresh_from_db()
    run.refresh_from_db()
    assert notes(ticket) == ["1/3", "2/3", "3/3", "customer unresponsive - closing ticket"]
    assert ticket.status == "solved" and ticket.group.name == "Unresponsive Customers"
    assert ticket.assignee == agent
    assert run.status == "ended" and run.outcome == "unresponsive_closed"


def test_a_missed_call_restarts_from_day_one(frozen_clock, agent, make_ticket, move_to_day):
    ticket = make_ticket(phones=["+1 415 555 0132"], emails=())
    update_ticket(ticket, actor=Actor.of_agent(agent), status="pending")
    assert open_task(ticket).planned_channels == ["call", "text"]
    move_to_day(PlaybookRun.objects.get(ticket=ticket), 3)
    sweep_all()
    assert open_task(ticket).day == 3
    from caredesk.tickets.actions import add_interaction

    add_interaction(ticket, actor=Actor.system("twilio"), channel="phone", direction="inbound", kind="call",
                    call_outcome="missed", author_customer=ticket.requester)
    task = open_task(ticket)
    assert task.day == 1 and task.task_key.startswith("cycle-2/")
