"""SOP 001: the refund request cadence and the unresponsive handling of bot issues."""

import pytest

from caredesk.playbooks.engine import CreateTask, EndRun, TicketFacts
from caredesk.playbooks.spec import AddInternalNote, SetAssignee, SetFlag, SetGroup, SetOrderStatus, SetStatus

CONTACT = dict(has_linked_order=True, customer_emails=("pat@example.com",), customer_phones=("+12125550100",))


def refund_run(playbooks, drive, ny, start_day=2):
    facts = TicketFacts("refund_request", industry="tsa_precheck", **CONTACT)
    return drive(playbooks["refund_request_follow_up"], facts, ny(2025, 6, start_day, 9))


def test_refund_day_one_is_the_initial_grab_without_a_note(playbooks, drive, ny):
    run = refund_run(playbooks, drive, ny)
    (task,) = run.tasks()
    assert task.day == 1 and task.title == "1st update, initial grab of the ticket"
    assert run.complete(ny(2025, 6, 2, 11)) == ()


def test_refund_days_two_and_three_then_escalation_at_the_end_of_day_three(playbooks, drive, ny):
    run = refund_run(playbooks, drive, ny)  # Monday: day 2 Tuesday, day 3 Wednesday
    run.complete(ny(2025, 6, 2, 11))
    run.tick(ny(2025, 6, 3, 8))
    assert run.complete(ny(2025, 6, 3, 10)) == (AddInternalNote("2/3"), SetStatus("pending"))
    run.tick(ny(2025, 6, 4, 8))
    assert run.complete(ny(2025, 6, 4, 10)) == (AddInternalNote("3/3"),)
    assert run.tick(ny(2025, 6, 4, 23, 59)) == ()  # not before the end of day 3
    actions = run.tick(ny(2025, 6, 5, 0))
    assert actions[0] == SetFlag("ready_for_refund_escalation")
    escalation = actions[1]
    assert isinstance(escalation, CreateTask) and escalation.kind == "escalation"
    assert escalation.task_key == "cycle-1/end/escalation-task" and escalation.channels == ()
    assert escalation.due_at == ny(2025, 6, 5, 0)
    assert escalation.overdue_at == ny(2025, 6, 6, 0)  # "at the end of the day or the following day"
    assert actions[2:] == (EndRun("refund_escalation"),)
    assert run.state.flags == ("ready_for_refund_escalation",)
    assert run.state.open_tasks == ("cycle-1/end/escalation-task",)
    assert run.notes() == ["2/3", "3/3"]


def test_refund_escalation_over_a_weekend_is_due_by_monday(playbooks, drive, ny):
    run = refund_run(playbooks, drive, ny, start_day=4)  # Wednesday: day 3 is Friday 6 June
    actions = run.tick(ny(2025, 6, 7, 12))
    escalation = next(action for action in actions if isinstance(action, CreateTask) and action.kind == "escalation")
    assert escalation.due_at == ny(2025, 6, 7, 0)  # Friday's end
    assert escalation.day == 4
    assert escalation.overdue_at == ny(2025, 6, 10, 0)  # the end of Monday, the following business day


def test_refund_does_not_apply_to_us_passport(playbooks):
    from caredesk.playbooks.engine import playbooks_triggered_by

    facts = TicketFacts("refund_request", industry="us_passport")
    (playbook,) = playbooks_triggered_by(tuple(playbooks.values()), "ticket_pending", facts)
    assert playbook.name == "general_inquiry_follow_up"


def close_actions(playbooks, drive, ny, facts):
    run = drive(playbooks["general_inquiry_follow_up"], facts, ny(2025, 6, 2, 9))
    for day, hour in ((2, 11), (4, 10), (6, 10)):
        run.tick(ny(2025, 6, day, hour - 1))
        run.complete(ny(2025, 6, day, hour))
    actions = run.tick(ny(2025, 6, 9, 1))
    return actions, run


ROXY = (
    SetOrderStatus("Unresponsive"),
    AddInternalNote("@Roxy V customer unresponsive"),
    SetGroup("Unresponsive Customers"),
    SetAssignee(owner="Roxy V"),
    SetStatus("open"),
    EndRun("bot_issue_handed_off"),
)


@pytest.mark.parametrize("industry", ["tsa_precheck", "global_entry", "nexus", "sentri"])
def test_tsa_ge_nexus_sentri_bot_issues_go_to_roxy_and_stay_open(playbooks, drive, ny, industry):
    actions, run = close_actions(playbooks, drive, ny, TicketFacts("bot_issue", industry=industry, **CONTACT))
    assert actions == ROXY
    assert run.state.outcome == "bot_issue_handed_off"


def test_us_passport_missing_labels_go_to_roxy(playbooks, drive, ny):
    facts = TicketFacts("general_inquiry", industry="us_passport", tags=frozenset({"missing_labels"}), **CONTACT)
    actions, _ = close_actions(playbooks, drive, ny, facts)
    assert actions == ROXY


def test_us_passport_without_missing_labels_is_closed_as_usual(playbooks, drive, ny):
    actions, _ = close_actions(playbooks, drive, ny, TicketFacts("general_inquiry", industry="us_passport", **CONTACT))
    assert actions[-1] == EndRun("unresponsive_closed")


def test_ein_bot_issues_go_to_vincent_without_an_order_status(playbooks, drive, ny):
    actions, _ = close_actions(playbooks, drive, ny, TicketFacts("bot_issue", industry="ein", **CONTACT))
    assert actions == (
        AddInternalNote("@Vincent Ryan V customer unresponsive"),
        SetGroup("Unresponsive Customers"),
        SetAssignee(owner="Vincent Ryan V"),
        SetStatus("open"),
        EndRun("bot_issue_handed_off"),
    )


def test_bot_issue_of_another_industry_is_closed_as_usual(playbooks, drive, ny):
    actions, _ = close_actions(playbooks, drive, ny, TicketFacts("bot_issue", industry=None, **CONTACT))
    assert actions[-1] == EndRun("unresponsive_closed")


def test_order_status_is_only_set_when_an_order_is_linked(playbooks, drive, ny):
    facts = TicketFacts("bot_issue", industry="nexus", customer_emails=("pat@example.com",))
    actions, _ = close_actions(playbooks, drive, ny, facts)
    assert actions == ROXY[1:]
