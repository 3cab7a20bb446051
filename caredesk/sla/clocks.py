"""SLA clocks from a ticket's own history, on a business calendar, to the second. Pure: no Django import.

`compute(history, targets, hours, now)` replays the history (the ticket's creation, its status changes, the
customer's messages and the agents' public replies, in order) and returns every clock cycle of every metric
the policy targets, with where it stands at `now`:

- first reply: starts when the ticket is created; an agent's first public reply fulfils it. It is its own
  metric: a customer message before that reply does not start next reply, and next reply never replaces it.
- next reply: each customer message after an agent's reply starts a cycle (unless one is running); the
  agent's next public reply fulfils it (an agent who replied does not keep being escalated).
- periodic update: starts when the ticket is created or reopened; each public reply fulfils the cycle and
  starts the next, so the customer hears from the team at least every N business minutes while it is open.
  An update promised to the customer (SOP 002: an escalated customer agreed to wait "for an update within 1
  day") holds the clock to the promise: until the next public reply no status pauses it (the customer waits on
  the team, even on a pending ticket), and a paused cycle resumes with the time it has left.
- resolution: starts when the ticket is created; solving fulfils it; reopening resumes the same cycle with
  the time already used.

Solving or closing the ticket stops the other metrics' running cycles. A metric's pausing statuses stop its
clock while the ticket is in them (pending waits on the customer); time counts only in business hours.
A cycle is breached when its business time used passes the target before it was fulfilled, or reaches it
while it still runs (a reply at the due instant is on time; no reply by then is a breach).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from caredesk.calendars.hours import BusinessHours, require_aware

FIRST_REPLY, NEXT_REPLY, PERIODIC_UPDATE, RESOLUTION = "first_reply", "next_reply", "periodic_update", "resolution"
METRICS = (FIRST_REPLY, NEXT_REPLY, PERIODIC_UPDATE, RESOLUTION)
METRIC_NAMES = {FIRST_REPLY: "first reply", NEXT_REPLY: "next reply", PERIODIC_UPDATE: "periodic update",
                RESOLUTION: "resolution"}

# History kinds
CREATED, STATUS, CUSTOMER_MESSAGE, AGENT_REPLY = "created", "status", "customer_message", "agent_reply"
UPDATE_PROMISED = "update_promised"  # the customer agreed to wait for an update (SOP 002)
HISTORY_KINDS = (CREATED, STATUS, CUSTOMER_MESSAGE, AGENT_REPLY, UPDATE_PROMISED)
DONE_STATUSES = frozenset({"solved", "closed"})

# Clock states
RUNNING, PAUSED, FULFILLED, STOPPED = "running", "paused", "fulfilled", "stopped"


@dataclass(frozen=True)
class Happening:
    """One entry of a ticket's history. `status` is the status after a created or status entry."""

    at: datetime
    kind: str
    status: str = ""

    def __post_init__(self) -> None:
        if self.kind not in HISTORY_KINDS:
            raise ValueError(f"a history entry is one of {HISTORY_KINDS}, got {self.kind!r}")
        object.__setattr__(self, "at", require_aware(self.at, "at"))


@dataclass(frozen=True)
class Target:
    """A policy's target for one metric: business minutes, the statuses that pause it, when to warn
    (`warn_minutes` of business time before it is due, or once `warn_percent` of it is used; the earlier)."""

    metric: str
    minutes: int
    pausing: frozenset[str] = frozenset()
    warn_minutes: int | None = None
    warn_percent: int | None = None

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"a metric is one of {METRICS}, got {self.metric!r}")
        if self.minutes < 1:
            raise ValueError("a target is at least 1 minute")
        if self.warn_percent is not None and not 1 <= self.warn_percent <= 99:
            raise ValueError("a warning share is between 1 and 99 percent")
        object.__setattr__(self, "pausing", frozenset(self.pausing))

    @property
    def seconds(self) -> int:
        return self.minutes * 60

    def warn_after_seconds(self) -> int | None:
        """Business seconds used at which the warning is due, or None (no warning)."""
        candidates = []
        if self.warn_minutes is not None:
            candidates.append(max(0, self.seconds - self.warn_minutes * 60))
        if self.warn_percent is not None:
            candidates.append(self.seconds * self.warn_percent // 100)
        return min(candidates) if candidates else None


@dataclass(frozen=True)
class Transition:
    at: datetime
    kind: str  # started, paused, resumed, fulfilled, stopped
    status: str = ""  # the status that paused it


@dataclass(frozen=True)
class Clock:
    """One cycle of one metric as it stands at `now`."""

    metric: str
    cycle: int
    target: Target
    started_at: datetime
    state: str
    used_seconds: int  # business seconds counted, up to its end or `now`
    due_at: datetime | None  # when it breaches(d) if it keeps running; None while paused
    warn_at: datetime | None
    ended_at: datetime | None  # fulfilled or stopped at
    paused_by: str = ""
    breached: bool = False  # the target was passed before it ended (or by now)
    transitions: tuple[Transition, ...] = ()
    promised: bool = False  # held to an update promised to the customer: no status pauses it

    @property
    def pausing(self) -> frozenset[str]:
        """The statuses that pause this cycle now (none while it is held to a promised update)."""
        return _pausing(self.target, self.promised)

    @property
    def key(self) -> tuple[str, int]:
        return (self.metric, self.cycle)

    @property
    def remaining_seconds(self) -> int:
        return self.target.seconds - self.used_seconds


@dataclass
class _Cycle:
    metric: str
    cycle: int
    target: Target
    started_at: datetime
    used: int = 0
    counting_since: datetime | None = None  # None while paused
    paused_by: str = ""
    due_at: datetime | None = None  # while counting
    ended_at: datetime | None = None
    state: str = RUNNING
    overran: bool = False  # used time passed the target while it ran
    promised: bool = False
    transitions: list[Transition] = field(default_factory=list)


def _pausing(target: Target, promised: bool) -> frozenset[str]:
    return frozenset() if promised else target.pausing


class _Replay:
    def __init__(self, targets: dict[str, Target], hours: BusinessHours):
        self.targets, self.hours = targets, hours
        self.cycles: list[_Cycle] = []
        self.open: dict[str, _Cycle] = {}
        self.status = ""
        self.replied = False
        self.promised = False  # an update promised to the customer is still owed

    def start(self, metric: str, at: datetime) -> None:
        target = self.targets.get(metric)
        if target is None or metric in self.open:
            return
        number = 1 + sum(1 for cycle in self.cycles if cycle.metric == metric)
        cycle = _Cycle(metric, number, target, at, promised=self.promised and metric == PERIODIC_UPDATE,
                       transitions=[Transition(at, "started")])
        self.cycles.append(cycle)
        self.open[metric] = cycle
        if self.status in _pausing(target, cycle.promised):
            cycle.state, cycle.paused_by = PAUSED, self.status
            cycle.transitions.append(Transition(at, "paused", self.status))
        else:
            self._count_from(cycle, at)

    def _count_from(self, cycle: _Cycle, at: datetime) -> None:
        cycle.counting_since = at
        cycle.due_at = self.hours.add(at, cycle.target.seconds - cycle.used)

    def _count_until(self, cycle: _Cycle, at: datetime) -> None:
        if cycle.counting_since is not None:
            if cycle.due_at is not None and cycle.due_at < at:
                cycle.overran = True
            cycle.used += self.hours.seconds_between(cycle.counting_since, at)
            cycle.counting_since = None

    def end(self, metric: str, at: datetime, kind: str) -> None:
        cycle = self.open.pop(metric, None)
        if cycle is None:
            return
        self._count_until(cycle, at)
        cycle.state, cycle.ended_at, cycle.paused_by = kind, at, ""
        cycle.transitions.append(Transition(at, kind))

    def resume_resolution(self, at: datetime) -> None:
        """A reopened ticket: the resolution cycle goes on with the time it used."""
        cycle = next((cycle for cycle in reversed(self.cycles) if cycle.metric == RESOLUTION), None)
        if cycle is None or RESOLUTION in self.open:
            self.start(RESOLUTION, at)
            return
        cycle.ended_at = None
        self.open[RESOLUTION] = cycle
        self._resume(cycle, at)

    def set_status(self, status: str, at: datetime) -> None:
        before, self.status = self.status, status
        if status in DONE_STATUSES and before not in DONE_STATUSES:
            self.promised = False
            self.end(RESOLUTION, at, FULFILLED)
            for metric in (FIRST_REPLY, NEXT_REPLY, PERIODIC_UPDATE):
                self.end(metric, at, STOPPED)
            return
        if before in DONE_STATUSES and status not in DONE_STATUSES:
            self.resume_resolution(at)
            self.start(PERIODIC_UPDATE, at)
        for cycle in self.open.values():
            pausing = _pausing(cycle.target, cycle.promised)
            if status in pausing and cycle.state == RUNNING:
                self._count_until(cycle, at)
                cycle.state, cycle.paused_by, cycle.due_at = PAUSED, status, None
                cycle.transitions.append(Transition(at, "paused", status))
            elif status not in pausing and cycle.state == PAUSED:
                self._resume(cycle, at)

    def _resume(self, cycle: _Cycle, at: datetime) -> None:
        cycle.state, cycle.paused_by = RUNNING, ""
        cycle.transitions.append(Transition(at, "resumed"))
        self._count_from(cycle, at)

    def promise_update(self, at: datetime) -> None:
        """The customer agreed to wait for an update: the periodic update runs whatever the status, until the
        next public reply gives it."""
        if self.status in DONE_STATUSES:
            return
        self.promised = True
        cycle = self.open.get(PERIODIC_UPDATE)
        if cycle is None:
            self.start(PERIODIC_UPDATE, at)
            return
        cycle.promised = True
        if cycle.state == PAUSED:
            self._resume(cycle, at)

    def happen(self, happening: Happening) -> None:
        at = happening.at
        if happening.kind == CREATED:
            self.status = happening.status
            if happening.status in DONE_STATUSES:
                return
            for metric in (FIRST_REPLY, PERIODIC_UPDATE, RESOLUTION):
                self.start(metric, at)
        elif happening.kind == STATUS:
            self.set_status(happening.status, at)
        elif happening.kind == CUSTOMER_MESSAGE:
            if self.replied and self.status not in DONE_STATUSES:
                self.start(NEXT_REPLY, at)
        elif happening.kind == UPDATE_PROMISED:
            self.promise_update(at)
        elif happening.kind == AGENT_REPLY:
            self.replied, self.promised = True, False
            self.end(FIRST_REPLY, at, FULFILLED)
            self.end(NEXT_REPLY, at, FULFILLED)
            if PERIODIC_UPDATE in self.open:
                self.end(PERIODIC_UPDATE, at, FULFILLED)
                if self.status not in DONE_STATUSES:
                    self.start(PERIODIC_UPDATE, at)

    def clocks(self, now: datetime) -> list[Clock]:
        result = []
        for cycle in self.cycles:
            used, due_at = cycle.used, cycle.due_at
            overran = cycle.overran
            if cycle.state == RUNNING and cycle.counting_since is not None:
                used += self.hours.seconds_between(cycle.counting_since, now)
                overran = overran or (due_at is not None and due_at <= now)
            if cycle.state in (FULFILLED, STOPPED):
                due_at = None
            warn_at = None
            warn_after = cycle.target.warn_after_seconds()
            if cycle.state == RUNNING and cycle.counting_since is not None and warn_after is not None:
                already = cycle.used  # used before the current counting stretch
                warn_at = self.hours.add(cycle.counting_since, max(0, warn_after - already))
            result.append(Clock(
                metric=cycle.metric, cycle=cycle.cycle, target=cycle.target, started_at=cycle.started_at,
                state=cycle.state, used_seconds=used, due_at=due_at, warn_at=warn_at, ended_at=cycle.ended_at,
                paused_by=cycle.paused_by, breached=overran or used > cycle.target.seconds or (
                    cycle.state in (RUNNING, PAUSED) and used >= cycle.target.seconds),
                transitions=tuple(cycle.transitions), promised=cycle.promised and cycle.state == RUNNING))
        return result


def compute(history: Iterable[Happening], targets: Sequence[Target], hours: BusinessHours,
            now: datetime) -> list[Clock]:
    """Every clock cycle of the targeted metrics, as they stand at `now`, in the order they started."""
    now = require_aware(now, "now")
    replay = _Replay({target.metric: target for target in targets}, hours)
    for happening in sorted((h for h in history if h.at <= now), key=lambda h: h.at):
        replay.happen(happening)
    return replay.clocks(now)


def next_breach(clocks: Iterable[Clock]) -> datetime | None:
    """The earliest due time of the clocks still running and not yet breached."""
    due = [clock.due_at for clock in clocks if clock.state == RUNNING and clock.due_at and not clock.breached]
    return min(due) if due else None


def describe_remaining(seconds: int) -> str:
    """'2h 05m' of business time; negative: 'over by 15m'."""
    over = seconds < 0
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    text = f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"
    return f"over by {text}" if over else text
