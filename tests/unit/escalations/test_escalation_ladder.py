"""The warm-transfer ladder's pure decisions, and the escalation playbook's data: no database, no clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from caredesk.escalations import ladder
from caredesk.playbooks import engine
from caredesk.playbooks.spec import PlaybookError, TransferRung, default_playbooks, parse_playbook

NOW = datetime(2025, 9, 9, 15, 0, tzinfo=timezone.utc)
RUNGS = (TransferRung("Resolution Specialist", "Resolution Specialist", "Resolution Lead", 30),
         TransferRung("Team Supervisor", "Team Supervisor", "Resolution Lead", 30))
SPECIALISTS, SUPERVISOR = (11, 12), 21
EVERYONE = {0: SPECIALISTS, 1: (SUPERVISOR,)}


def kinds(step):
    return [happened.kind for happened in step.happened]


def test_refusing_to_wait_rings_the_available_specialists_for_30_seconds():
    step = ladder.begin(RUNGS, EVERYONE, NOW)
    assert step.state == ladder.LadderState(ladder.RINGING, 0, SPECIALISTS, NOW + timedelta(seconds=30))
    assert kinds(step) == ["transfer_rung"]


def test_nobody_available_goes_straight_to_the_voicemail():
    step = ladder.begin(RUNGS, {0: (), 1: ()}, NOW)
    assert step.state.status == ladder.VOICEMAIL
    assert kinds(step) == ["transfer_rung_skipped", "transfer_rung_skipped", "voicemail"]


def test_no_specialist_available_rings_the_supervisor():
    step = ladder.begin(RUNGS, {0: (), 1: (SUPERVISOR,)}, NOW)
    assert (step.state.rung, step.state.ringing) == (1, (SUPERVISOR,))
    assert kinds(step) == ["transfer_rung_skipped", "transfer_rung"]


def test_a_rung_times_out_only_when_its_seconds_are_over():
    ringing = ladder.begin(RUNGS, EVERYONE, NOW).state
    assert ladder.time_out(RUNGS, ringing, EVERYONE, NOW + timedelta(seconds=29)) == ladder.Step(ringing, ())
    step = ladder.time_out(RUNGS, ringing, EVERYONE, NOW + timedelta(seconds=30))
    assert kinds(step) == ["transfer_timed_out", "transfer_rung"] and step.state.rung == 1
    last = ladder.time_out(RUNGS, step.state, EVERYONE, NOW + timedelta(seconds=60))
    assert kinds(last) == ["transfer_timed_out", "voicemail"] and last.state.status == ladder.VOICEMAIL


def test_answer_then_accept_completes_the_transfer():
    ringing = ladder.begin(RUNGS, EVERYONE, NOW).state
    answered = ladder.answer(ringing, 12)
    assert answered.state == ladder.LadderState(ladder.DISCUSSING, 0, answered_by=12)
    # Discussing has no deadline: a timeout sweep leaves it alone.
    assert ladder.time_out(RUNGS, answered.state, EVERYONE, NOW + timedelta(hours=1)).happened == ()
    accepted = ladder.accept(answered.state, 12)
    assert accepted.state.status == ladder.TRANSFERRED and kinds(accepted) == ["transfer_accepted"]


def test_a_decline_moves_down_the_ladder():
    answered = ladder.answer(ladder.begin(RUNGS, EVERYONE, NOW).state, 11).state
    step = ladder.decline(RUNGS, answered, 11, EVERYONE, NOW + timedelta(seconds=40))
    assert kinds(step) == ["transfer_declined", "transfer_rung"]
    assert step.state.ringing == (SUPERVISOR,) and step.state.due_at == NOW + timedelta(seconds=70)
    supervisor = ladder.decline(RUNGS, ladder.answer(step.state, SUPERVISOR).state, SUPERVISOR, EVERYONE, NOW)
    assert kinds(supervisor) == ["transfer_declined", "voicemail"]


@pytest.mark.parametrize("refused", [
    lambda ringing: ladder.answer(ringing, 99),  # not rung
    lambda ringing: ladder.accept(ringing, 11),  # nobody answered yet
    lambda ringing: ladder.decline(RUNGS, ringing, 11, EVERYONE, NOW),
    lambda ringing: ladder.accept(ladder.answer(ringing, 11).state, 12),  # someone else answered
    lambda ringing: ladder.answer(ladder.answer(ringing, 11).state, 12),  # already answered
])
def test_steps_out_of_turn_are_refused(refused):
    with pytest.raises(ladder.LadderRefused):
        refused(ladder.begin(RUNGS, EVERYONE, NOW).state)


def test_the_escalation_playbook_holds_the_ladder_as_data():
    playbook = next(each for each in default_playbooks() if each.name == "irate_customer_escalation")
    assert playbook.trigger.event == "escalation_agreed_to_wait"
    assert [(rung.role, rung.skill, rung.answer_within_seconds) for rung in playbook.escalation.transfer] == [
        ("Resolution Specialist", "Resolution Lead", 30), ("Team Supervisor", "Resolution Lead", 30)]
    assert playbook.escalation.voicemail_callback_role == "Resolution Lead"
    assert playbook.steps[0].overdue_at_end_of_day == 2


def test_the_update_is_overdue_at_the_end_of_the_next_business_day():
    playbook = next(each for each in default_playbooks() if each.name == "irate_customer_escalation")
    friday = datetime(2025, 9, 12, 20, 0, tzinfo=timezone.utc)  # 16:00 in New York
    decision = engine.start(playbook, engine.TicketFacts(ticket_type="general_inquiry",
                                                         customer_emails=("a@example.com",)), friday)
    task = next(action for action in decision.actions if isinstance(action, engine.CreateTask))
    assert task.overdue_at == datetime(2025, 9, 16, 4, 0, tzinfo=timezone.utc)  # Monday ends, New York time


def test_asking_to_be_escalated_stops_the_general_follow_up():
    playbook = next(each for each in default_playbooks() if each.name == "general_inquiry_follow_up")
    facts = engine.TicketFacts(ticket_type="general_inquiry", customer_emails=("a@example.com",))
    started = engine.start(playbook, facts, NOW)
    stopped = engine.decide(playbook, started.state, facts, engine.Event("escalation_requested"), NOW)
    assert stopped.state.outcome == engine.STOPPED
    tagged = engine.TicketFacts(ticket_type="general_inquiry", tags=frozenset({"escalated"}))
    assert engine.playbooks_triggered_by((playbook,), "ticket_pending", tagged) == ()


def test_a_ladder_rung_names_its_seconds(tmp_path):
    source = next(each for each in default_playbooks() if each.name == "irate_customer_escalation").file
    text = open(source).read().replace("answer_within_seconds: 30", "answer_within_seconds: soon", 1)
    with pytest.raises(PlaybookError, match=r"escalation.transfer\[0\].answer_within_seconds"):
        parse_playbook(text, "escalation.yaml")


def test_the_ladder_is_pure():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(ladder.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert imported <= {"__future__", "dataclasses", "datetime", "typing", "caredesk.playbooks.spec"}
