"""SOP 000, Care Clarifications: call first, email only when the call did not reach, call notes flagged."""

from dataclasses import replace

import pytest

from caredesk.playbooks.engine import (
    CUSTOMER_REACHED,
    STOPPED,
    CancelOpenTasks,
    CompleteTask,
    CreateTask,
    EndRun,
    PlannedChannel,
    QueueMessage,
    TicketFacts,
    playbooks_triggered_by,
)
from caredesk.playbooks.spec import SetFlag

CARE = TicketFacts(
    "clarification",
    industry="website_care",
    customer_emails=("owner@bakery.example",),
    customer_phones=("+12125550199",),
)


@pytest.mark.parametrize("status", ["open", "closed", "solved"])
def test_a_customer_email_into_a_care_ticket_open_or_closed_starts_call_first(playbooks, status):
    facts = replace(CARE, status=status)
    triggered = playbooks_triggered_by(tuple(playbooks.values()), "customer_email_on_ticket", facts)
    assert [playbook.name for playbook in triggered] == ["care_call_first"]


def test_an_email_into_a_ticket_of_another_industry_does_not_start_it(playbooks):
    facts = replace(CARE, industry="ein")
    assert playbooks_triggered_by(tuple(playbooks.values()), "customer_email_on_ticket", facts) == ()


@pytest.mark.parametrize("status", ["open", "closed"])
def test_the_only_thing_decided_is_a_call_task_due_now(playbooks, drive, ny, status):
    run = drive(playbooks["care_call_first"], replace(CARE, status=status), ny(2025, 6, 2, 14, 30))
    (task,) = run.actions  # no message of any kind: never "you replied to a closed ticket" or "please call us"
    assert isinstance(task, CreateTask)
    assert task.kind == "call" and task.due_at == ny(2025, 6, 2, 14, 30)
    assert task.channels == (PlannedChannel("call", ("+12125550199",)),)
    assert task.overdue_at == ny(2025, 6, 3, 0)


def test_a_logged_call_that_reached_the_customer_ends_it_without_email(playbooks, drive, ny):
    run = drive(playbooks["care_call_first"], CARE, ny(2025, 6, 2, 14))
    actions = run.send("call_logged", ny(2025, 6, 2, 15), reached=True, has_call_notes=True)
    assert actions == (CompleteTask("cycle-1/day-1", "a call was logged"), EndRun(CUSTOMER_REACHED))
    assert run.state.attempts[0].reached is True


def test_only_a_call_that_did_not_reach_prompts_the_follow_up_email(playbooks, drive, ny):
    run = drive(playbooks["care_call_first"], CARE, ny(2025, 6, 2, 14))
    actions = run.send("call_logged", ny(2025, 6, 2, 15), reached=False, has_call_notes=True)
    assert actions[0] == CompleteTask("cycle-1/day-1", "a call was logged")
    email = actions[1]
    assert isinstance(email, CreateTask) and email.kind == "email"
    assert email.task_key == "cycle-1/day-1/email-task"
    assert email.channels == (PlannedChannel("email", ("owner@bakery.example",)),)
    assert run.state.status == "running" and run.state.next_due_at is None


def test_the_follow_up_email_is_queued_when_the_playbook_sends_it_automatically(playbooks, drive, ny):
    playbook = replace(playbooks["care_call_first"], send_automatically=(("email", "care_call_follow_up"),))
    run = drive(playbook, CARE, ny(2025, 6, 2, 14))
    assert len(run.actions) == 1  # still a call first, nothing sent
    actions = run.send("call_logged", ny(2025, 6, 2, 15), reached=False, has_call_notes=True)
    assert actions[1] == QueueMessage("cycle-1/day-1/email-task", "email", "care_call_follow_up", ("owner@bakery.example",))


def test_a_call_task_completed_by_the_agent_also_works(playbooks, drive, ny):
    noted = replace(CARE, last_noted_call_at=ny(2025, 6, 2, 14, 50))  # the call, logged with its notes
    run = drive(playbooks["care_call_first"], noted, ny(2025, 6, 2, 14))
    actions = run.complete(ny(2025, 6, 2, 15), reached=False, channels=("call",))
    assert [action.kind for action in actions] == ["email"]


@pytest.mark.parametrize("reached", [True, False])
def test_a_call_logged_without_call_notes_flags_the_ticket(playbooks, drive, ny, reached):
    run = drive(playbooks["care_call_first"], CARE, ny(2025, 6, 2, 14))
    actions = run.send("call_logged", ny(2025, 6, 2, 15), reached=reached, has_call_notes=False)
    assert actions[0] == SetFlag("missing_call_notes")
    assert run.state.flags == ("missing_call_notes",)


def test_a_call_task_completed_without_a_call_logged_with_notes_flags_the_ticket(playbooks, drive, ny):
    """SOP 000: call notes on every ticket where we reached out by phone. Completing the call task says the
    agent called; a call with its notes logged since the cycle began is what shows the notes were written."""
    for noted_at in (None, ny(2025, 6, 2, 9)):  # none ever, or only one before this cycle began (at 14:00)
        run = drive(playbooks["care_call_first"], replace(CARE, last_noted_call_at=noted_at), ny(2025, 6, 2, 14))
        actions = run.complete(ny(2025, 6, 2, 15), channels=("call",), reached=True)
        assert actions[0] == SetFlag("missing_call_notes")


def test_a_call_task_completed_after_a_call_logged_with_notes_raises_no_flag(playbooks, drive, ny):
    run = drive(playbooks["care_call_first"], replace(CARE, last_noted_call_at=ny(2025, 6, 2, 14, 30)),
                ny(2025, 6, 2, 14))
    assert SetFlag("missing_call_notes") not in run.complete(ny(2025, 6, 2, 15), channels=("call",), reached=True)
    run = drive(playbooks["care_call_first"], CARE, ny(2025, 6, 2, 14))
    assert SetFlag("missing_call_notes") not in run.complete(ny(2025, 6, 2, 15), channels=("email",))


def test_the_flag_is_raised_once(playbooks, drive, ny):
    run = drive(playbooks["care_call_first"], CARE, ny(2025, 6, 2, 14))
    run.send("call_logged", ny(2025, 6, 2, 15), reached=False, has_call_notes=False)
    assert SetFlag("missing_call_notes") not in run.send("call_logged", ny(2025, 6, 2, 16), has_call_notes=False)


def test_a_call_without_notes_is_flagged_even_after_the_run_ended(playbooks, drive, ny):
    run = drive(playbooks["care_call_first"], CARE, ny(2025, 6, 2, 14))
    run.send("call_answered", ny(2025, 6, 2, 15))
    assert run.send("call_logged", ny(2025, 6, 2, 16), reached=True, has_call_notes=False) == (SetFlag("missing_call_notes"),)


def test_call_notes_are_not_checked_by_playbooks_that_do_not_ask(playbooks, drive, ny):
    run = drive(playbooks["general_inquiry_follow_up"], replace(CARE, ticket_type="general_inquiry"), ny(2025, 6, 2, 14))
    assert run.send("call_logged", ny(2025, 6, 2, 15), reached=False, has_call_notes=False) == ()


def test_another_customer_email_means_call_again(playbooks, drive, ny):
    run = drive(playbooks["care_call_first"], CARE, ny(2025, 6, 2, 14))
    run.send("call_logged", ny(2025, 6, 2, 15), reached=False, has_call_notes=True)
    actions = run.send("customer_reply", ny(2025, 6, 3, 9))
    assert actions[0] == CancelOpenTasks(("cycle-1/day-1/email-task",), "restarted from day 1: customer reply")
    assert actions[1].kind == "call" and actions[1].task_key == "cycle-2/day-1"


def test_an_agent_closing_the_ticket_stops_call_first(playbooks, drive, ny):
    run = drive(playbooks["care_call_first"], CARE, ny(2025, 6, 2, 14))
    assert run.send("ticket_closed", ny(2025, 6, 2, 15))[-1] == EndRun(STOPPED)


def test_a_call_task_without_a_known_number_is_still_a_call_task(playbooks, drive, ny):
    run = drive(playbooks["care_call_first"], replace(CARE, customer_phones=()), ny(2025, 6, 2, 14))
    assert run.tasks()[0].channels == (PlannedChannel("call", ()),)
