"""The Follow-up panel's "last step done": a step behind us whose checklist was completed, or that needed no
action; never an attempt still open, missed or cancelled."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from caredesk.playbooks import engine
from caredesk.playbooks.describe import last_step_done
from caredesk.playbooks.spec import ATTEMPT_FROM_CONTACT_DATA, Step

AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
STEPS = (Step(1, "1st update", attempt=ATTEMPT_FROM_CONTACT_DATA), Step(2, "Nothing to do"),
         Step(3, "2nd update", attempt=ATTEMPT_FROM_CONTACT_DATA))


def _attempt(day: int, status: str, cycle: int = 1) -> engine.AttemptRecord:
    return engine.AttemptRecord(f"cycle-{cycle}/day-{day}", cycle, day, "attempt", ("email",), (), AT, AT,
                                status=status)


def _state(step_index: int, *attempts, cycle: int = 1) -> engine.RunState:
    return engine.RunState("general", 1, AT, AT, cycle=cycle, step_index=step_index, attempts=attempts)


def test_an_open_attempt_is_not_done():
    assert last_step_done(STEPS, _state(0)) is None
    assert last_step_done(STEPS, _state(1, _attempt(1, engine.OPEN))) is None  # planned, checklist open


def test_a_completed_attempt_and_a_step_without_action_are_done():
    assert last_step_done(STEPS, _state(1, _attempt(1, engine.DONE))).title == "1st update"
    assert last_step_done(STEPS, _state(2, _attempt(1, engine.DONE))).title == "Nothing to do"
    done = _attempt(1, engine.DONE)
    assert last_step_done(STEPS, _state(3, done, _attempt(3, engine.OPEN))).title == "Nothing to do"
    assert last_step_done(STEPS, _state(3, done, _attempt(3, engine.DONE))).title == "2nd update"


def test_a_missed_attempt_or_another_cycles_is_not_done():
    assert last_step_done(STEPS, _state(1, _attempt(1, engine.MISSED))) is None
    earlier = _attempt(1, engine.DONE, cycle=1)
    assert last_step_done(STEPS, _state(1, earlier, replace(earlier, cycle=2, status=engine.OPEN,
                                                            task_key="cycle-2/day-1"), cycle=2)) is None
