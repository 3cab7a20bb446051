"""SOP 001, General Inquiry Follow-Up Process: attempts on days 1, 3, 5, notes, statuses, day 6 close, restarts, stops."""

from datetime import timedelta

import pytest

from caredesk.playbooks.engine import (
    CUSTOMER_REACHED,
    DONE,
    ENDED,
    MISSED,
    RUNNING,
    STOPPED,
    CancelOpenTasks,
    CancelTask,
    CreateTask,
    EndRun,
    TicketFacts,
    playbooks_triggered_by,
)
from caredesk.playbooks.spec import AddInternalNote, SetAssignee, SetGroup, SetStatus

FACTS = TicketFacts(
    "general_inquiry",
    has_linked_order=True,
    customer_emails=("pat@example.com",),
    customer_phones=("+12125550100",),
)
# Monday 2 June 2025: day 1 Mon, 2 Tue, 3 Wed, 4 Thu, 5 Fri, 6 Mon 9 June.


@pytest.fixture
def run(playbooks, drive, ny):
    return drive(playbooks["general_inquiry_follow_up"], FACTS, ny(2025, 6, 2, 9))


def test_day_one_is_an_attempt_due_now_and_overdue_at_the_end_of_the_day(run, ny):
    (task,) = run.tasks()
    assert task.task_key == "cycle-1/day-1"
    assert task.day == 1 and task.kind == "attempt"
    assert [channel.channel for channel in task.channels] == ["email", "call", "text"]
    assert task.due_at == ny(2025, 6, 2, 9)
    assert task.overdue_at == ny(2025, 6, 3, 0)
    assert run.state.next_due_at == ny(2025, 6, 3, 0)  # day 2: "no action needed", still a step


def test_unreached_attempt_writes_one_of_three_and_submits_pending(run, ny):
    actions = run.complete(ny(2025, 6, 2, 11), reached=False)
    assert actions == (AddInternalNote("1/3"), SetStatus("pending"))
    (attempt,) = run.state.attempts
    assert attempt.status == DONE and attempt.reached is False and not attempt.done_late


def test_day_two_and_day_four_need_no_action(run, ny):
    run.complete(ny(2025, 6, 2, 11))
    assert run.tick(ny(2025, 6, 3, 12)) == ()
    assert run.state.day == 2
    run.tick(ny(2025, 6, 4, 0))
    run.complete(ny(2025, 6, 4, 10))
    assert run.tick(ny(2025, 6, 5, 12)) == ()
    assert run.state.day == 4


def test_full_cadence_notes_statuses_and_day_six_close(run, ny):
    run.complete(ny(2025, 6, 2, 11))
    run.tick(ny(2025, 6, 4, 8))
    run.complete(ny(2025, 6, 4, 10))
    run.tick(ny(2025, 6, 6, 8))
    actions_day_five = run.complete(ny(2025, 6, 6, 10))
    assert actions_day_five == (AddInternalNote("3/3"),)  # the SOP does not resubmit PENDING on day 5
    assert [task.day for task in run.tasks()] == [1, 3, 5]
    close = run.tick(ny(2025, 6, 9, 0))
    assert close == (
        AddInternalNote("customer unresponsive - closing ticket"),
        SetGroup("Unresponsive Customers"),
        SetAssignee(working_agent=True),
        SetStatus("solved"),
        EndRun("unresponsive_closed"),
    )
    assert run.notes() == ["1/3", "2/3", "3/3", "customer unresponsive - closing ticket"]
    assert run.state.status == ENDED and run.state.outcome == "unresponsive_closed"
    assert run.state.ended_at == ny(2025, 6, 9, 0)
    assert run.tick(ny(2025, 6, 20)) == ()


def test_day_six_does_not_come_early(run, ny):
    run.tick(ny(2025, 6, 7, 23))  # Saturday: still day 5
    assert run.state.status == RUNNING


def test_attempt_done_after_its_day_is_late(run, ny):
    run.complete(ny(2025, 6, 3, 10))
    (attempt,) = run.state.attempts
    assert attempt.done_late


def test_attempt_not_done_by_the_next_attempt_is_missed_without_a_note(run, ny):
    actions = run.tick(ny(2025, 6, 4, 9))
    assert actions[0] == CancelTask("cycle-1/day-1", "missed: the day 3 attempt is due")
    assert isinstance(actions[1], CreateTask) and actions[1].day == 3
    assert run.state.attempts[0].status == MISSED
    assert run.notes() == []
    run.complete(ny(2025, 6, 4, 10))
    assert run.notes() == ["2/3"]


def test_a_completion_of_a_missed_task_changes_nothing(run, ny):
    run.tick(ny(2025, 6, 4, 9))
    assert run.complete(ny(2025, 6, 4, 10), task_key="cycle-1/day-1") == ()


def test_customer_reached_on_an_attempt_ends_the_run(run, ny):
    actions = run.complete(ny(2025, 6, 2, 11), reached=True)
    assert actions == (EndRun(CUSTOMER_REACHED),)
    assert run.state.outcome == CUSTOMER_REACHED and run.state.next_due_at is None


@pytest.mark.parametrize("kind", ["customer_reply", "call_answered"])
def test_customer_answering_stops_and_leaves_no_stale_task(run, ny, kind):
    actions = run.send(kind, ny(2025, 6, 2, 15))
    assert actions == (CancelOpenTasks(("cycle-1/day-1",), kind.replace("_", " ")), EndRun(CUSTOMER_REACHED))
    assert run.state.open_tasks == ()


@pytest.mark.parametrize("kind", ["ticket_solved", "ticket_closed", "run_cancelled"])
def test_agent_solving_closing_or_cancelling_stops(run, ny, kind):
    actions = run.send(kind, ny(2025, 6, 2, 15))
    assert actions[-1] == EndRun(STOPPED)


@pytest.mark.parametrize("kind", ["call_missed", "call_abandoned", "customer_new_email"])
def test_missed_abandoned_call_or_new_email_restarts_from_day_one(run, ny, kind):
    run.complete(ny(2025, 6, 2, 11))
    run.tick(ny(2025, 6, 4, 8))
    run.complete(ny(2025, 6, 4, 10))  # 2/3 written
    actions = run.send(kind, ny(2025, 6, 5, 14))
    assert isinstance(actions[0], CancelOpenTasks) is False  # nothing was open on day 4
    (task,) = [action for action in actions if isinstance(action, CreateTask)]
    assert task.task_key == "cycle-2/day-1" and task.day == 1 and task.due_at == ny(2025, 6, 5, 14)
    assert run.state.cycle == 2 and run.state.restarts == 1
    run.complete(ny(2025, 6, 5, 15))
    assert run.notes() == ["1/3", "2/3", "1/3"]
    # the new day 1 is Thursday 5 June: day 2 Friday, day 3 Monday 9 June, day 6 Thursday 12 June
    assert run.state.next_due_at == ny(2025, 6, 6, 0)
    run.tick(ny(2025, 6, 9, 1))
    assert run.tasks()[-1].task_key == "cycle-2/day-3" and run.tasks()[-1].due_at == ny(2025, 6, 9, 0)
    run.tick(ny(2025, 6, 12, 1))
    assert run.state.outcome == "unresponsive_closed"


def test_restart_cancels_the_open_attempt(run, ny):
    actions = run.send("call_missed", ny(2025, 6, 2, 15))
    assert actions[0] == CancelOpenTasks(("cycle-1/day-1",), "restarted from day 1: call missed")
    assert run.state.attempts[0].status == "cancelled"


def test_a_logged_call_that_reached_the_customer_ends_the_run(run, ny):
    assert run.send("call_logged", ny(2025, 6, 2, 15), reached=True, has_call_notes=True)[-1] == EndRun(CUSTOMER_REACHED)


def test_an_unreached_logged_call_does_not_complete_a_multi_channel_attempt(run, ny):
    assert run.send("call_logged", ny(2025, 6, 2, 15), reached=False, has_call_notes=True) == ()
    assert run.state.open_tasks == ("cycle-1/day-1",)


def test_late_event_first_runs_the_steps_that_fell_due(run, ny):
    """A reply on day 4 after a silent worker: day 1 missed, day 3 created then cancelled, then the end."""
    actions = run.send("customer_reply", ny(2025, 6, 5, 12))
    kinds = [type(action).__name__ for action in actions]
    assert kinds == ["CancelTask", "CreateTask", "CancelOpenTasks", "EndRun"]
    assert [attempt.status for attempt in run.state.attempts] == ["missed", "cancelled"]


def test_trigger_general_inquiry_bot_issue_and_us_passport_refund(playbooks):
    all_playbooks = tuple(playbooks.values())

    def names(**facts):
        return sorted(playbook.name for playbook in playbooks_triggered_by(all_playbooks, "ticket_pending", TicketFacts(**facts)))

    assert names(ticket_type="general_inquiry") == ["general_inquiry_follow_up"]
    assert names(ticket_type="bot_issue", industry="ein") == ["general_inquiry_follow_up"]
    assert names(ticket_type="refund_request", industry="us_passport") == ["general_inquiry_follow_up"]
    assert names(ticket_type="refund_request", industry="ein") == ["refund_request_follow_up"]
    assert names(ticket_type="refund_request") == ["refund_request_follow_up"]
    assert names(ticket_type="clarification") == []


def test_time_must_be_aware(playbooks, ny):
    from datetime import datetime

    from caredesk.playbooks.engine import start

    with pytest.raises(ValueError, match="timezone-aware"):
        start(playbooks["general_inquiry_follow_up"], FACTS, datetime(2025, 6, 2, 9))


def test_decide_refuses_another_playbook_version(run, playbooks, ny):
    from dataclasses import replace

    from caredesk.playbooks.engine import Event, decide

    playbook = playbooks["general_inquiry_follow_up"]
    newer = replace(playbook, version=playbook.version + 1)
    with pytest.raises(ValueError, match=f"version {playbook.version}"):
        decide(newer, run.state, FACTS, Event("tick"), ny(2025, 6, 3) + timedelta(hours=1))


def test_current_day_for_display(run, playbooks, ny):
    from caredesk.playbooks.engine import current_day

    playbook = playbooks["general_inquiry_follow_up"]
    assert current_day(playbook, run.state, ny(2025, 6, 2, 18)) == 1
    assert current_day(playbook, run.state, ny(2025, 6, 7, 12)) == 5  # Saturday: still Friday's day 5
    assert current_day(playbook, run.state, ny(2025, 6, 9, 8)) == 6
