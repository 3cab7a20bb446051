"""The pure decision core of the playbook engine.

`start` and `decide` take plain data (a playbook, the run's state, the ticket's facts, an event and
the time) and return a `Decision`: the new state and the ordered actions the runner must apply.
Nothing here reads a clock, a database or the network; time only comes in as `now`.

Before handling an event, `decide` first runs every step that fell due by `now`, in order, with the
time each was due. A run therefore reaches the same state whether the worker ticked on the minute
or only when the next event arrived, and no attempt is ever skipped: an attempt whose day has
passed is still created, then recorded as missed when the next attempt (or the end) comes due.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, Iterable, Union

from caredesk.playbooks.calendar import require_aware
from caredesk.playbooks.spec import (
    ATTEMPT_FROM_CONTACT_DATA,
    CHANNELS,
    END_OUTCOMES,
    RUN_EVENTS,
    AddInternalNote,
    Conditions,
    Instruction,
    NewTask,
    Playbook,
    SetAssignee,
    SetFlag,
    SetGroup,
    SetOrderStatus,
    SetStatus,
    Step,
    latest_versions,
)

RUNNING = "running"
ENDED = "ended"
CUSTOMER_REACHED = "customer_reached"
STOPPED = "stopped"
OUTCOMES = (CUSTOMER_REACHED, *END_OUTCOMES, STOPPED)

EVENT_KINDS = ("tick", "task_completed", "call_logged", *RUN_EVENTS, "run_cancelled")
_EVENTS_THAT_REACH_THE_CUSTOMER = frozenset({"customer_reply", "call_answered"})

OPEN = "open"
DONE = "done"
MISSED = "missed"
CANCELLED = "cancelled"


# --- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFacts:
    """What the engine may know about the ticket, gathered by the runner at decision time."""

    ticket_type: str
    industry: str | None = None
    customer_type: str | None = None
    status: str = "open"
    has_linked_order: bool = False
    customer_emails: tuple[str, ...] = ()
    customer_phones: tuple[str, ...] = ()
    phones_in_customer_emails: tuple[str, ...] = ()  # E.164 numbers found in the customer's emails
    tags: frozenset[str] = frozenset()
    last_noted_call_at: datetime | None = None  # the latest call an agent logged with its call notes
    preferred_channel: str = ""  # the customer's: email, phone or sms


@dataclass(frozen=True)
class Event:
    """Something that happened to the ticket; `tick` only means that time passed."""

    kind: str
    task_key: str | None = None  # task_completed: the task's key from CreateTask
    channels_tried: tuple[str, ...] = ()  # task_completed: what the agent actually tried
    reached: bool = False  # task_completed, call_logged: whether the customer was reached
    has_call_notes: bool | None = None  # call_logged: whether the call notes were filled in

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}; expected one of {', '.join(EVENT_KINDS)}")
        if self.kind == "task_completed" and not self.task_key:
            raise ValueError("a task_completed event needs the task_key")
        unknown = set(self.channels_tried) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {sorted(unknown)}; expected some of {', '.join(CHANNELS)}")


# --- state ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptRecord:
    """One required attempt, kept for the compliance report."""

    task_key: str
    cycle: int
    day: int
    kind: str  # "attempt" (channels from contact data) or "call"
    channels_planned: tuple[str, ...]
    channels_sent_automatically: tuple[str, ...]
    due_at: datetime
    overdue_at: datetime
    status: str = OPEN  # open, done, missed (not done by the next attempt or the end), cancelled
    completed_at: datetime | None = None
    channels_tried: tuple[str, ...] = ()
    reached: bool | None = None

    @property
    def done_late(self) -> bool:
        return self.status == DONE and self.completed_at is not None and self.completed_at >= self.overdue_at


@dataclass(frozen=True)
class RunState:
    playbook_name: str
    playbook_version: int
    started_at: datetime
    cycle_started_at: datetime  # when the current cycle (day 1) began; moves on every restart
    cycle: int = 1
    step_index: int = 0  # the next step to run in this cycle; len(steps) means the end is next
    day: int = 0  # the day of the latest step run in this cycle
    status: str = RUNNING
    outcome: str | None = None
    ended_at: datetime | None = None
    next_due_at: datetime | None = None
    attempts: tuple[AttemptRecord, ...] = ()
    open_tasks: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def restarts(self) -> int:
        return self.cycle - 1


# --- decisions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedChannel:
    channel: str  # email, call or text
    to: tuple[str, ...]  # addresses or E.164 numbers; may be empty when only the linked order has them


@dataclass(frozen=True)
class CreateTask:
    task_key: str  # unique within the run, e.g. "cycle-1/day-3" or "cycle-1/end/escalation-task"
    step_key: str
    day: int
    kind: str  # attempt, call, email, text, escalation
    title: str
    channels: tuple[PlannedChannel, ...]  # the agent's checklist
    due_at: datetime
    overdue_at: datetime


@dataclass(frozen=True)
class CompleteTask:
    """The engine saw the task done (a logged call completed a call task)."""

    task_key: str
    reason: str


@dataclass(frozen=True)
class CancelTask:
    task_key: str
    reason: str


@dataclass(frozen=True)
class CancelOpenTasks:
    task_keys: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class QueueMessage:
    """A message for the outbox; `message_key` makes queueing idempotent."""

    message_key: str
    channel: str
    template: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class EndRun:
    outcome: str


Action = Union[
    CreateTask,
    CompleteTask,
    CancelTask,
    CancelOpenTasks,
    QueueMessage,
    AddInternalNote,
    SetStatus,
    SetGroup,
    SetAssignee,
    SetOrderStatus,
    SetFlag,
    EndRun,
]


@dataclass(frozen=True)
class Decision:
    state: RunState
    actions: tuple[Action, ...]


# --- rules on facts -------------------------------------------------------------------------------


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _phones(facts: TicketFacts) -> tuple[str, ...]:
    return _unique(facts.customer_phones + facts.phones_in_customer_emails)


def plan_channels(facts: TicketFacts) -> tuple[PlannedChannel, ...]:
    """The channels of a follow-up attempt, from the contact data (SOP 001).

    Linked order: email + call + text. No order: a phone number only, call + text; an email address
    only, email; a phone number written in the customer's email, call + text to that number. Not in
    the SOP: with both an email address and a phone number on file, every channel (email + call + text).
    The customer's preferred channel comes first.
    """
    emails, phones = facts.customer_emails, _phones(facts)
    email, call, text = PlannedChannel("email", emails), PlannedChannel("call", phones), PlannedChannel("text", phones)
    if facts.has_linked_order or (facts.customer_phones and emails):
        planned = (email, call, text)
    elif phones:
        planned = (call, text)
    elif emails:
        planned = (email,)
    else:
        return ()
    return preferred_first(planned, facts.preferred_channel)


PREFERRED_PLAN_CHANNEL = {"email": "email", "phone": "call", "sms": "text"}


def preferred_first(planned: tuple[PlannedChannel, ...], preferred: str) -> tuple[PlannedChannel, ...]:
    """SOP 001 names an attempt's channels, not their order: the customer's preferred channel comes first
    (SOP 004 "their preferred communication channel"). It never adds or removes a channel."""
    wanted = PREFERRED_PLAN_CHANNEL.get(preferred)
    return tuple(sorted(planned, key=lambda channel: channel.channel != wanted))


def conditions_match(conditions: Conditions, facts: TicketFacts) -> bool:
    checks = (
        (conditions.ticket_type, facts.ticket_type),
        (conditions.industry, facts.industry),
        (conditions.customer_type, facts.customer_type),
        (conditions.status, facts.status),
    )
    if any(match is not None and not match.matches(value) for match, value in checks):
        return False
    return conditions.tags is None or conditions.tags.matches_set(frozenset(facts.tags))


def any_conditions_match(alternatives: tuple[Conditions, ...], facts: TicketFacts) -> bool:
    """True when one of the alternatives matches; no alternatives at all match every ticket."""
    return not alternatives or any(conditions_match(conditions, facts) for conditions in alternatives)


def playbooks_triggered_by(playbooks: tuple[Playbook, ...], trigger_event: str, facts: TicketFacts) -> tuple[Playbook, ...]:
    """The latest version of every playbook that this trigger event starts for this ticket."""
    return tuple(
        playbook
        for playbook in latest_versions(playbooks).values()
        if playbook.trigger.event == trigger_event and any_conditions_match(playbook.trigger.when, facts)
    )


# --- entry points ---------------------------------------------------------------------------------


def start(playbook: Playbook, facts: TicketFacts, now: datetime) -> Decision:
    """Start a run at `now`: day 1 is today and its step runs at once."""
    now = require_aware(now, "now")
    state = RunState(
        playbook_name=playbook.name,
        playbook_version=playbook.version,
        started_at=now,
        cycle_started_at=now,
        next_due_at=now,
    )
    turn = _Turn(playbook, facts, state)
    turn.catch_up(now)
    return turn.decision()


def decide(playbook: Playbook, state: RunState, facts: TicketFacts, event: Event, now: datetime) -> Decision:
    """Run the steps due by `now`, then handle the event."""
    now = require_aware(now, "now")
    if (state.playbook_name, state.playbook_version) != (playbook.name, playbook.version):
        raise ValueError(
            f"run of {state.playbook_name} version {state.playbook_version} given playbook "
            f"{playbook.name} version {playbook.version}"
        )
    turn = _Turn(playbook, facts, state)
    if state.status == ENDED:
        if event.kind == "call_logged" and event.has_call_notes is False:
            turn.flag_call_without_notes()
        return turn.decision()
    # The next step was planned on the calendar of its time: plan it again on this one (a day an admin has
    # closed since moves it past that day; unchanged otherwise).
    turn.update(next_due_at=turn.scheduled_next())
    turn.catch_up(now)
    if turn.state.status == RUNNING:
        turn.handle(event, now)
    return turn.decision()


def current_day(playbook: Playbook, state: RunState, now: datetime) -> int:
    """The day of the current cycle that `now` falls in (for display)."""
    return playbook.days.day_number(state.cycle_started_at, now)


# --- one decision in progress ---------------------------------------------------------------------


class _Turn:
    """Accumulates the new state and the actions of one decision."""

    def __init__(self, playbook: Playbook, facts: TicketFacts, state: RunState):
        self.playbook = playbook
        self.facts = facts
        self.state = state
        self.actions: list[Action] = []

    def decision(self) -> Decision:
        return Decision(self.state, tuple(self.actions))

    def update(self, **changes) -> None:
        self.state = replace(self.state, **changes)

    # scheduling

    def scheduled_next(self) -> datetime | None:
        playbook, state = self.playbook, self.state
        calendar, cycle_start = playbook.days, state.cycle_started_at
        if state.step_index < len(playbook.steps):
            return max(calendar.day_start(cycle_start, playbook.steps[state.step_index].day), cycle_start)
        if playbook.end is None:
            return None
        if playbook.end.day is not None:
            return calendar.day_start(cycle_start, playbook.end.day)
        return calendar.day_end(cycle_start, playbook.end.after_day)

    def catch_up(self, now: datetime) -> None:
        while self.state.status == RUNNING and self.state.next_due_at is not None and self.state.next_due_at <= now:
            due_at = self.state.next_due_at
            if self.state.step_index < len(self.playbook.steps):
                self.run_step(self.playbook.steps[self.state.step_index], due_at)
            else:
                self.run_end(due_at)

    def advance_past(self, step: Step) -> None:
        self.update(step_index=self.state.step_index + 1, day=step.day)
        self.update(next_due_at=self.scheduled_next())

    # steps and the end

    def run_step(self, step: Step, at: datetime) -> None:
        if step.attempt is None:
            self.advance_past(step)
            return
        self.close_open_attempts(MISSED, f"missed: the day {step.day} attempt is due")
        state = self.state
        task_key = f"cycle-{state.cycle}/{step.key}"
        if step.attempt == ATTEMPT_FROM_CONTACT_DATA:
            kind, channels = "attempt", plan_channels(self.facts)
        else:
            kind, channels = "call", (PlannedChannel("call", _phones(self.facts)),)
        automatic = tuple(channel for channel in channels if self.playbook.template_for(channel.channel))
        for planned in automatic:
            self.actions.append(
                QueueMessage(f"{task_key}/{planned.channel}", planned.channel, self.playbook.template_for(planned.channel), planned.to)
            )
        for_agent = tuple(channel for channel in channels if channel not in automatic)
        record = AttemptRecord(
            task_key=task_key,
            cycle=state.cycle,
            day=step.day,
            kind=kind,
            channels_planned=tuple(channel.channel for channel in channels),
            channels_sent_automatically=tuple(channel.channel for channel in automatic),
            due_at=at,
            overdue_at=self.playbook.days.day_end(state.cycle_started_at, step.overdue_day),
        )
        if for_agent or not automatic:
            self.actions.append(CreateTask(task_key, step.key, step.day, kind, step.title, for_agent, at, record.overdue_at))
            self.update(attempts=state.attempts + (record,), open_tasks=state.open_tasks + (task_key,))
            self.advance_past(step)
            return
        # Everything went out through the outbox: the attempt is done, and not reached until the customer answers.
        done = replace(record, status=DONE, completed_at=at, channels_tried=record.channels_sent_automatically, reached=False)
        self.update(attempts=state.attempts + (done,))
        self.advance_past(step)
        self.apply(step.if_not_reached, step.key, at)

    def run_end(self, at: datetime) -> None:
        end = self.playbook.end
        outcome, instructions = end.outcome, end.actions
        for variant in end.variants:
            if any_conditions_match(variant.when, self.facts):
                outcome, instructions = variant.outcome, variant.actions
                break
        self.close_open_attempts(MISSED, "missed: the follow-up ended")
        self.cancel_open_tasks(f"the run ended: {outcome}")
        self.apply(instructions, "end", at)
        self.finish(outcome, at)

    def finish(self, outcome: str, at: datetime) -> None:
        self.actions.append(EndRun(outcome))
        self.update(status=ENDED, outcome=outcome, ended_at=at, next_due_at=None)

    # events

    def handle(self, event: Event, now: datetime) -> None:
        kind = event.kind
        if kind == "run_cancelled":
            self.stop(STOPPED, now, "the run was cancelled")
        elif kind in self.playbook.stop_on:
            outcome = CUSTOMER_REACHED if kind in _EVENTS_THAT_REACH_THE_CUSTOMER else STOPPED
            self.stop(outcome, now, kind.replace("_", " "))
        elif kind in self.playbook.restart_on:
            self.restart(now, kind.replace("_", " "))
        elif kind == "task_completed":
            self.task_completed(event, now)
        elif kind == "call_logged":
            self.call_logged(event, now)

    def task_completed(self, event: Event, now: datetime) -> None:
        noted = self.facts.last_noted_call_at
        if "call" in event.channels_tried and (noted is None or noted < self.state.cycle_started_at):
            self.flag_call_without_notes()  # the agent called, and no call with its notes was logged this cycle
        self.update(open_tasks=tuple(key for key in self.state.open_tasks if key != event.task_key))
        attempt = self.open_attempt(lambda record: record.task_key == event.task_key)
        if attempt is not None:
            self.complete(attempt, now, event.channels_tried, event.reached)
        if event.reached:
            self.stop(CUSTOMER_REACHED, now, "the customer was reached")
        elif attempt is not None:
            self.not_reached(attempt, now)

    def call_logged(self, event: Event, now: datetime) -> None:
        if event.has_call_notes is False:
            self.flag_call_without_notes()
        call = self.open_attempt(lambda record: record.kind == "call")
        if call is not None:
            self.update(open_tasks=tuple(key for key in self.state.open_tasks if key != call.task_key))
            self.actions.append(CompleteTask(call.task_key, "a call was logged"))
            self.complete(call, now, ("call",), event.reached)
        if event.reached:
            self.stop(CUSTOMER_REACHED, now, "the customer was reached by phone")
        elif call is not None:
            self.not_reached(call, now)

    def not_reached(self, attempt: AttemptRecord, now: datetime) -> None:
        step = next(step for step in self.playbook.steps if step.day == attempt.day)
        self.apply(step.if_not_reached, step.key, now)

    def stop(self, outcome: str, now: datetime, reason: str) -> None:
        self.close_open_attempts(CANCELLED, reason)
        self.cancel_open_tasks(reason)
        self.finish(outcome, now)

    def restart(self, now: datetime, reason: str) -> None:
        self.close_open_attempts(CANCELLED, f"restarted: {reason}")
        self.cancel_open_tasks(f"restarted from day 1: {reason}")
        self.update(cycle=self.state.cycle + 1, cycle_started_at=now, step_index=0, day=0, next_due_at=now)
        self.catch_up(now)

    # attempts and tasks

    def open_attempt(self, wanted: Callable[[AttemptRecord], bool]) -> AttemptRecord | None:
        return next(
            (record for record in self.state.attempts if record.status == OPEN and record.cycle == self.state.cycle and wanted(record)),
            None,
        )

    def complete(self, attempt: AttemptRecord, now: datetime, channels_tried: tuple[str, ...], reached: bool) -> None:
        done = replace(
            attempt,
            status=DONE,
            completed_at=now,
            channels_tried=_unique(channels_tried + attempt.channels_sent_automatically),
            reached=reached,
        )
        self.update(attempts=tuple(done if record is attempt else record for record in self.state.attempts))

    def close_open_attempts(self, status: str, reason: str) -> None:
        """Mark this cycle's open attempts missed (cancelling their tasks) or cancelled."""
        attempts = []
        for record in self.state.attempts:
            if record.status == OPEN:
                record = replace(record, status=status)
                if status == MISSED and record.task_key in self.state.open_tasks:
                    self.actions.append(CancelTask(record.task_key, reason))
                    self.update(open_tasks=tuple(key for key in self.state.open_tasks if key != record.task_key))
            attempts.append(record)
        self.update(attempts=tuple(attempts))

    def cancel_open_tasks(self, reason: str) -> None:
        if self.state.open_tasks:
            self.actions.append(CancelOpenTasks(self.state.open_tasks, reason))
            self.update(open_tasks=())

    # instructions from the playbook

    def apply(self, instructions: tuple[Instruction, ...], step_key: str, at: datetime) -> None:
        for instruction in instructions:
            if isinstance(instruction, NewTask):
                self.new_task(instruction, step_key, at)
            elif isinstance(instruction, SetFlag):
                self.raise_flag(instruction.flag)
            elif isinstance(instruction, SetOrderStatus):
                if self.facts.has_linked_order:
                    self.actions.append(instruction)
            else:
                self.actions.append(instruction)

    def new_task(self, task: NewTask, step_key: str, at: datetime) -> None:
        calendar, cycle_start = self.playbook.days, self.state.cycle_started_at
        task_key = f"cycle-{self.state.cycle}/{step_key}/{task.kind}-task"
        day = calendar.day_number(cycle_start, at)
        if calendar.day_end(cycle_start, day) <= at:  # created between two counted days
            day += 1
        overdue_at = calendar.day_end(cycle_start, task.overdue_at_end_of_day or day)
        destinations = {"email": self.facts.customer_emails, "call": _phones(self.facts), "text": _phones(self.facts)}
        template = self.playbook.template_for(task.kind)
        if template:
            self.actions.append(QueueMessage(task_key, task.kind, template, destinations[task.kind]))
            return
        channels = (PlannedChannel(task.kind, destinations[task.kind]),) if task.kind in destinations else ()
        self.actions.append(CreateTask(task_key, step_key, day, task.kind, task.title, channels, at, overdue_at))
        self.update(open_tasks=self.state.open_tasks + (task_key,))

    def raise_flag(self, flag: str) -> None:
        if flag not in self.state.flags:
            self.actions.append(SetFlag(flag))
            self.update(flags=self.state.flags + (flag,))

    def flag_call_without_notes(self) -> None:
        if self.playbook.flag_calls_without_notes:
            self.raise_flag(self.playbook.flag_calls_without_notes)


# --- storage --------------------------------------------------------------------------------------

_TIMES = ("started_at", "cycle_started_at", "ended_at", "next_due_at", "due_at", "overdue_at", "completed_at")


def _to_json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_to_json(item) for item in value]
    return value


def _from_json(name: str, value):
    if name in _TIMES:
        return None if value is None else datetime.fromisoformat(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def state_to_dict(state: RunState) -> dict:
    """The state as JSON-ready data, for the run's row."""
    data = {name: _to_json(value) for name, value in vars(state).items() if name != "attempts"}
    data["attempts"] = [{name: _to_json(value) for name, value in vars(record).items()} for record in state.attempts]
    return data


def state_from_dict(data: dict) -> RunState:
    fields = {name: _from_json(name, value) for name, value in data.items() if name != "attempts"}
    attempts = tuple(
        AttemptRecord(**{name: _from_json(name, value) for name, value in record.items()}) for record in data["attempts"]
    )
    return RunState(**fields, attempts=attempts)
