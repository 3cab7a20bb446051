"""Hypothesis properties of the engine over random tickets and random event sequences."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredesk.playbooks import calendar as calendar_module
from caredesk.playbooks import engine
from caredesk.playbooks.engine import OUTCOMES, CreateTask, EndRun, Event, QueueMessage, TicketFacts, decide, start
from caredesk.playbooks.spec import AddInternalNote, SetFlag, default_playbooks

PLAYBOOKS = {playbook.name: playbook for playbook in default_playbooks()}
# Every event the engine knows, with task completions drawn three times as often (the common case).
EVENT_KINDS = engine.EVENT_KINDS + ("task_completed",) * 2
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

facts_strategy = st.builds(
    TicketFacts,
    ticket_type=st.sampled_from(["general_inquiry", "refund_request", "bot_issue", "clarification"]),
    industry=st.sampled_from([None, "us_passport", "tsa_precheck", "global_entry", "nexus", "sentri", "ein", "website_care"]),
    has_linked_order=st.booleans(),
    customer_emails=st.sampled_from([(), ("pat@example.com",)]),
    customer_phones=st.sampled_from([(), ("+12125550100",)]),
    phones_in_customer_emails=st.sampled_from([(), ("+13105550123",)]),
    tags=st.sampled_from([frozenset(), frozenset({"missing_labels"})]),
    last_noted_call_at=st.sampled_from([None, datetime(2020, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc)]),
)


@dataclass(frozen=True)
class Step:
    """One event of a scenario; `task_choice` picks among the tasks open when the event is handled."""

    minutes_later: int
    kind: str
    reached: bool
    has_call_notes: bool
    task_choice: int


step_strategy = st.builds(
    Step,
    minutes_later=st.integers(min_value=0, max_value=4 * 24 * 60),
    kind=st.sampled_from(EVENT_KINDS),
    reached=st.booleans(),
    has_call_notes=st.booleans(),
    task_choice=st.integers(min_value=0, max_value=5),
)
# An attentive agent who never reaches the customer: the runs that end unresponsive or escalated.
unreached_step_strategy = st.builds(
    Step,
    minutes_later=st.integers(min_value=0, max_value=24 * 60),
    kind=st.sampled_from(["tick", "task_completed"]),
    reached=st.just(False),
    has_call_notes=st.just(True),
    task_choice=st.just(0),
)
scenario_strategy = st.tuples(
    st.sampled_from(sorted(PLAYBOOKS)),
    facts_strategy,
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(timezone.utc)),
    st.one_of(st.lists(step_strategy, max_size=25), st.lists(unreached_step_strategy, max_size=40)),
)


def make_event(playbook, state, facts, step: Step, now: datetime) -> Event:
    if step.kind == "task_completed":
        open_tasks = decide(playbook, state, facts, Event("tick"), now).state.open_tasks  # as the event will see them
        key = open_tasks[step.task_choice % len(open_tasks)] if open_tasks else "cycle-1/day-1"
        channels = ("call",) if key.endswith("/call") else ("email", "call")
        return Event("task_completed", task_key=key, channels_tried=channels, reached=step.reached)
    if step.kind == "call_logged":
        return Event("call_logged", reached=step.reached, has_call_notes=step.has_call_notes)
    return Event(step.kind)


def run_scenario(name, facts, started_at, steps, with_ticks=False):
    """Drive a run; return the decisions (one tuple of actions per call) and the final state."""
    playbook = PLAYBOOKS[name]
    decision = start(playbook, facts, started_at)
    state, decisions, now = decision.state, [decision.actions], started_at
    for step in steps:
        if with_ticks and step.minutes_later > 1:
            decision = decide(playbook, state, facts, Event("tick"), now + timedelta(minutes=step.minutes_later // 2))
            state = decision.state
            decisions.append(decision.actions)
        now += timedelta(minutes=step.minutes_later)
        decision = decide(playbook, state, facts, make_event(playbook, state, facts, step, now), now)
        state = decision.state
        decisions.append(decision.actions)
    final = Event("ticket_solved") if playbook.end is None else Event("tick")
    decision = decide(playbook, state, facts, final, now + timedelta(days=40))
    decisions.append(decision.actions)
    return decisions, decision.state


def attempt_days(playbook):
    return [step.day for step in playbook.steps if step.attempt is not None]


_DAY_ONE_ATTEMPT = re.compile(r"^cycle-(\d+)/day-1(/(email|text))?$")


def notes_by_cycle(actions, playbook):
    """The step notes written in each cycle; a cycle starts with its day-1 attempt (a task or an automatic message)."""
    step_notes = {note.text for step in playbook.steps for note in step.if_not_reached if isinstance(note, AddInternalNote)}
    cycles: dict[int, list[str]] = {}
    cycle = 0
    for action in actions:
        key = getattr(action, "task_key", None) or getattr(action, "message_key", None)
        match = _DAY_ONE_ATTEMPT.match(key) if key else None
        if match:
            cycle = int(match.group(1))
        if isinstance(action, AddInternalNote) and action.text in step_notes:
            cycles.setdefault(cycle, []).append(action.text)
    return cycles


@SETTINGS
@given(scenario_strategy)
def test_a_run_always_ends_in_exactly_one_outcome(scenario):
    decisions, state = run_scenario(*scenario)
    ends = [(index, action) for index, actions in enumerate(decisions) for action in actions if isinstance(action, EndRun)]
    assert len(ends) == 1
    index, end = ends[0]
    assert end.outcome in OUTCOMES and state.outcome == end.outcome and state.status == engine.ENDED
    assert decisions[index][-1] == end
    assert all(isinstance(action, SetFlag) for actions in decisions[index + 1 :] for action in actions)
    assert state.open_tasks == () or end.outcome in ("refund_escalation", "escalation_handed_over")  # hand-overs


@SETTINGS
@given(scenario_strategy)
def test_a_run_never_skips_an_attempt(scenario):
    decisions, state = run_scenario(*scenario)
    playbook = PLAYBOOKS[scenario[0]]
    planned = attempt_days(playbook)
    for cycle in range(1, state.cycle + 1):
        days = [record.day for record in state.attempts if record.cycle == cycle]
        assert days == planned[: len(days)]
    if state.outcome in ("unresponsive_closed", "bot_issue_handed_off", "refund_escalation"):
        assert [record.day for record in state.attempts if record.cycle == state.cycle] == planned
    announced = {
        action.task_key if isinstance(action, CreateTask) else action.message_key.rsplit("/", 1)[0]
        for actions in decisions
        for action in actions
        if isinstance(action, (CreateTask, QueueMessage))
    }
    assert {record.task_key for record in state.attempts} <= announced


@SETTINGS
@given(scenario_strategy)
def test_notes_are_written_in_order_never_three_before_two(scenario):
    decisions, state = run_scenario(*scenario)
    playbook = PLAYBOOKS[scenario[0]]
    order = [note.text for step in playbook.steps for note in step.if_not_reached if isinstance(note, AddInternalNote)]
    for notes in notes_by_cycle([action for actions in decisions for action in actions], playbook).values():
        positions = [order.index(note) for note in notes]
        assert positions == sorted(set(positions))  # strictly increasing: no repeat, no "3/3" before "2/3"
    final_cycle = [record for record in state.attempts if record.cycle == state.cycle]
    if state.outcome == "unresponsive_closed" and all(record.status == "done" for record in final_cycle):
        assert notes_by_cycle([a for actions in decisions for a in actions], playbook)[state.cycle] == order


@SETTINGS
@given(scenario_strategy)
def test_the_worker_timing_does_not_change_the_decisions(scenario):
    """Ticking between events only moves actions earlier; the sequence and the final state are the same."""
    plain, plain_state = run_scenario(*scenario)
    ticked, ticked_state = run_scenario(*scenario, with_ticks=True)
    assert plain_state == ticked_state
    assert [action for actions in plain for action in actions] == [action for actions in ticked for action in actions]


class _ForbiddenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        raise AssertionError("the engine read the wall clock")

    utcnow = today = now


@SETTINGS
@given(scenario_strategy)
def test_the_engine_never_reads_the_wall_clock(scenario):
    original_engine, original_calendar = engine.datetime, calendar_module.datetime
    engine.datetime = calendar_module.datetime = _ForbiddenDatetime
    try:
        run_scenario(*scenario)
    finally:
        engine.datetime, calendar_module.datetime = original_engine, original_calendar


@SETTINGS
@given(scenario_strategy)
def test_the_state_survives_storage_as_json(scenario):
    _, state = run_scenario(*scenario)
    assert engine.state_from_dict(json.loads(json.dumps(engine.state_to_dict(state)))) == state
