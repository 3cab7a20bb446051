"""The timeline of a simulated ticket, read back from what the real actions recorded.

Every entry comes from the database: the TicketEvents of the ticket and of its linked follow-up tickets
(with their Interactions), the FollowUpTasks and the PlaybookRuns. The only thing the simulator adds is
when each run's cycles began, which it observed while running (a restart leaves no row of its own).
The result renders as text (`render_timeline`), as JSON-ready data (`SimulationResult.to_data`), and
as the compact summary a scenario's `expect:` section is compared with (`SimulationResult.summary`).
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import yaml

from caredesk.calendars.queries import calendar_set
from caredesk.core import events
from caredesk.playbooks.calendar import DayCalendar
from caredesk.playbooks.models import FollowUpTask, PlaybookRun, TicketFlag
from caredesk.playbooks.registry import playbook_of
from caredesk.playbooks.scenario import EXPECTED_DAY_FIELDS, REPORTED_ON_REQUEST
from caredesk.tickets.models import Ticket, TicketEvent

ORIGINAL = "ticket"
_REVIEW_FLAG_WORDS = {"review.flag_raised": "flag raised:", "review.flag_matched": "flag matched again:",
                      "review.flag_cleared": "flag cleared:"}
_TASK_CLOSED = {"task.completed": "done", "task.done": "done", "task.missed": "missed", "task.cancelled": "cancelled"}
# An entry's kind (in the JSON output) where `entry_of` does not choose it; "change" for the others.
# The event logs of apps above playbooks whose events a simulation shows (caredesk.sla's SlaEvent, registered from
# its AppConfig.ready): each reads its events of the given ticket ids, ordered by time.
EXTRA_EVENT_LOGS: list = []
ENTRY_KINDS = {"follow_up.created": "ticket", "playbook.cancelled": "run", "flag.cleared": "flag"}
_DAY_KEY = re.compile(r"^day (\d+)")


def _ticket_labels(tickets: list[Ticket]) -> dict[int, str]:
    """"ticket" for the scenario's ticket, then "follow-up", "follow-up 2"... in creation order."""
    labels = {}
    for index, ticket in enumerate(tickets):
        labels[ticket.pk] = ORIGINAL if index == 0 else ("follow-up" if index == 1 else f"follow-up {index}")
    return labels


def _name(value) -> str | None:
    """A value from an audit event: related objects are stored as {"id", "name"}."""
    return value.get("name") if isinstance(value, dict) else value


# --- the parts of a result ------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    at: datetime
    order: float  # ties at the same instant: the order the changes were written
    ticket: str
    actor: str
    kind: str
    text: str
    summary_field: str | None = None  # where the entry goes in the day summary, if anywhere
    summary: str | None = None


@dataclass(frozen=True)
class TaskView:
    ticket: str
    playbook: str
    key: str
    kind: str
    title: str
    day: int
    channels: tuple[tuple[str, tuple[str, ...]], ...]
    due_at: datetime
    overdue_at: datetime
    status: str
    completed_at: datetime | None
    closed_at: datetime | None
    channels_tried: tuple[str, ...]
    reached: bool | None
    closed_reason: str

    @property
    def cycle(self) -> int:
        return int(self.key.split("/", 1)[0].removeprefix("cycle-"))

    @property
    def late(self) -> bool:
        return self.completed_at is not None and self.completed_at >= self.overdue_at

    def ending(self, until: datetime) -> str:
        if self.status == FollowUpTask.Status.OPEN:
            return "open, overdue" if until >= self.overdue_at else "open"
        if self.status != FollowUpTask.Status.DONE:
            return self.status
        done = "done late" if self.late else "done"
        if self.reached is None:
            return f"{done}: {self.closed_reason}"
        return f"{done}, {'reached' if self.reached else 'not reached'}"

    def label(self) -> str:
        cycle = f" (cycle {self.cycle})" if self.cycle > 1 else ""
        return f"{self.kind} day {self.day}{cycle}"

    def line(self, until: datetime) -> str:
        """The task in a day summary, e.g. "attempt day 3: email, call to a@example.com, +14155550132 -> missed"."""
        channels = ", ".join(channel for channel, _ in self.channels) or "no channels"
        destinations = ", ".join(dict.fromkeys(to for _, addresses in self.channels for to in addresses))
        return f"{self.label()}: {channels}{f' to {destinations}' if destinations else ''} -> {self.ending(until)}"


@dataclass(frozen=True)
class RunView:
    ticket: str
    playbook: str
    version: int
    days: DayCalendar
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    cycle_starts: tuple[datetime, ...]
    failures: int
    last_error: str

    def cycle_start_at(self, instant: datetime) -> datetime:
        return max(start for start in self.cycle_starts if start <= instant)

    def days_during(self, begin: datetime, end: datetime) -> str | None:
        """How the run's own day count reads between two instants, e.g. "day 3, restarted: day 1"."""
        if self.started_at >= end or (self.ended_at is not None and self.ended_at < begin):
            return None
        first = max(begin, self.started_at)
        parts = [f"day {self.days.day_number(self.cycle_start_at(first), first)}"]
        parts += ["restarted: day 1" for start in self.cycle_starts if first < start < end]
        if self.ended_at is not None and self.ended_at < end:
            parts.append(f"ended {self.outcome}")
        return f"{self.playbook}: {', '.join(parts)}"


@dataclass(frozen=True)
class TicketView:
    label: str
    subject: str
    follows_up: str | None  # the label of the closed ticket this one follows up
    status: str
    group: str | None
    assignee: str | None
    order_status: str | None  # None when no order is linked
    flags: tuple[str, ...]
    open_tasks: tuple[str, ...]

    def final(self) -> dict:
        values = {"status": self.status, "group": self.group, "assignee": self.assignee,
                  "order_status": self.order_status, "flags": list(self.flags), "open_tasks": list(self.open_tasks)}
        return {name: value for name, value in values.items() if value not in (None, "", [])}


@dataclass(frozen=True)
class Day:
    date: date
    number: int  # the scenario's day count; a date that is not counted belongs to the day before
    counted: bool
    runs: tuple[str, ...]
    entries: tuple[Entry, ...]

    @property
    def key(self) -> str:
        return f"day {self.number}" if self.counted else f"day {self.number}, {self.date:%a}"


@dataclass(frozen=True)
class SimulationResult:
    title: str
    file: str
    start: datetime
    until: datetime
    calendar: DayCalendar
    tickets: tuple[TicketView, ...]
    runs: tuple[RunView, ...]
    tasks: tuple[TaskView, ...]
    entries: tuple[Entry, ...]
    report: tuple[str, ...] = ()  # the day fields of REPORTED_ON_REQUEST the scenario asked for

    def days(self) -> tuple[Day, ...]:
        """Every counted day from the start to `until`, and any other date something happened on."""
        calendar = self.calendar
        by_date: dict[date, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            by_date[calendar.local_date(entry.at)].append(entry)
        first, last = calendar.local_date(self.start), calendar.local_date(self.until)
        dates = {first + timedelta(days=offset) for offset in range((last - first).days + 1)}
        dates = sorted({day for day in dates if calendar.counts(day) or day == first} | set(by_date))
        days = []
        for day in dates:
            begin = datetime.combine(day, datetime.min.time(), tzinfo=calendar.zone)
            number = calendar.day_number(self.start, begin)
            runs = (run.days_during(begin, begin + timedelta(days=1)) for run in self.runs)
            days.append(Day(day, number, calendar.day_date(self.start, number) == day,
                            tuple(label for label in runs if label), tuple(by_date.get(day, ()))))
        return tuple(days)

    def summary(self) -> dict:
        """What a scenario's `expect:` section states: per day, then the outcomes and the final state."""
        days = {}
        shown = [name for name in EXPECTED_DAY_FIELDS if name not in REPORTED_ON_REQUEST or name in self.report]
        for day in self.days():
            fields: dict[str, list[str]] = defaultdict(list)
            for entry in day.entries:
                if entry.summary_field:
                    fields[entry.summary_field].append(entry.summary)
            if set(fields) & set(shown):
                days[day.key] = {"date": f"{day.date:%a %Y-%m-%d}"}
                days[day.key].update((name, fields[name]) for name in shown if name in fields)
        prefix = {ticket.label: "" if ticket.label == ORIGINAL else f"{ticket.label}: " for ticket in self.tickets}
        return {
            "days": days,
            "outcomes": [f"{prefix[run.ticket]}{run.playbook}: {run.outcome or 'running'}" for run in self.runs],
            "final": {ticket.label: ticket.final() for ticket in self.tickets},
        }

    def to_data(self) -> dict:
        """The whole result as JSON-ready data."""
        iso = lambda instant: instant.astimezone(self.calendar.zone).isoformat() if instant else None  # noqa: E731
        return {
            "title": self.title,
            "file": self.file,
            "start": iso(self.start),
            "until": iso(self.until),
            "days_counted": self.calendar.describe(),
            "tickets": [{"label": ticket.label, "subject": ticket.subject, "follows_up": ticket.follows_up,
                         **ticket.final()} for ticket in self.tickets],
            "runs": [{
                "ticket": run.ticket, "playbook": run.playbook, "version": run.version, "started_at": iso(run.started_at),
                "ended_at": iso(run.ended_at), "outcome": run.outcome or None,
                "cycle_starts": [iso(start) for start in run.cycle_starts], "failures": run.failures,
                "last_error": run.last_error or None,
            } for run in self.runs],
            "tasks": [{
                "ticket": task.ticket, "playbook": task.playbook, "key": task.key, "kind": task.kind,
                "title": task.title, "day": task.day, "cycle": task.cycle,
                "channels": [{"channel": channel, "to": list(to)} for channel, to in task.channels],
                "due_at": iso(task.due_at), "overdue_at": iso(task.overdue_at), "status": task.status,
                "ending": task.ending(self.until), "completed_at": iso(task.completed_at), "closed_at": iso(task.closed_at),
                "channels_tried": list(task.channels_tried), "reached": task.reached, "late": task.late,
                "closed_reason": task.closed_reason or None,
            } for task in self.tasks],
            "days": [{
                "date": day.date.isoformat(), "weekday": f"{day.date:%A}", "day": day.number, "counted": day.counted,
                "playbooks": list(day.runs),
                "entries": [{"at": iso(entry.at), "ticket": entry.ticket, "actor": entry.actor, "kind": entry.kind,
                             "text": entry.text} for entry in day.entries],
            } for day in self.days()],
            "summary": self.summary(),
        }


# --- reading the database -------------------------------------------------------------------------


class _DatabaseReader:
    """Builds a SimulationResult for the tickets of one simulation."""

    def __init__(self, tickets: list[Ticket], cycle_starts: dict[int, dict[int, datetime]], until: datetime):
        self.labels = _ticket_labels(tickets)
        self.ids = list(self.labels)
        self.cycle_starts = cycle_starts
        self.until = until
        self.events = list(TicketEvent.objects.filter(ticket_id__in=self.ids).select_related("interaction")
                           .order_by("at", "id"))
        extra = [event for read in EXTRA_EVENT_LOGS for event in read(self.ids)]
        if extra:  # each log in its order; merged by time, a ticket event first at the same instant
            self.events = sorted(self.events + extra, key=lambda event: (event.at, type(event) is not TicketEvent))
        self.tasks = self._tasks()

    def _tasks(self) -> dict[tuple[int, str, str], list[tuple[FollowUpTask, datetime | None]]]:
        """(ticket, playbook, key) -> [(task, when it was closed)], oldest first: a key repeats across runs."""
        closed_at: dict[tuple[int, str], list[datetime]] = defaultdict(list)
        for event in self.events:
            if event.action in _TASK_CLOSED:
                for key in event.after.get("tasks") or [event.after.get("task")]:
                    closed_at[(event.ticket_id, key)].append(event.at)
        rows = defaultdict(list)
        tasks = FollowUpTask.objects.filter(ticket_id__in=self.ids).select_related("run__definition")
        for task in tasks.order_by("created_at", "id"):
            closings = [at for at in closed_at[(task.ticket_id, task.task_key)] if at >= task.created_at]
            closed = task.completed_at if task.status == FollowUpTask.Status.DONE else min(closings, default=None)
            rows[(task.ticket_id, task.run.definition.name, task.task_key)].append((task, closed))
        return rows

    def task_view(self, task: FollowUpTask, closed_at: datetime | None) -> TaskView:
        return TaskView(
            ticket=self.labels[task.ticket_id], playbook=task.run.definition.name, key=task.task_key, kind=task.kind,
            title=task.title, day=task.day,
            channels=tuple((entry["channel"], tuple(entry["to"])) for entry in task.channels),
            due_at=task.due_at, overdue_at=task.overdue_at, status=task.status, completed_at=task.completed_at,
            closed_at=closed_at, channels_tried=tuple(task.channels_tried), reached=task.reached,
            closed_reason=task.closed_reason,
        )

    def task_label(self, ticket_id: int, key: str, at: datetime) -> str:
        """"attempt day 3 (cycle 2)" for the task with this key that existed at `at`."""
        rows = [task for (ticket, _, task_key), found in self.tasks.items() if (ticket, task_key) == (ticket_id, key)
                for task, _ in found if task.created_at <= at]
        if not rows:
            return key
        latest = max(rows, key=lambda task: task.created_at)
        return self.task_view(latest, None).label()

    def created_task(self, event: TicketEvent) -> TaskView:
        playbook = event.actor_label.split("@", 1)[0]
        candidates = self.tasks[(event.ticket_id, playbook, event.after["task"])]
        task, closed_at = next((row for row in candidates if row[0].created_at == event.at), candidates[-1])
        return self.task_view(task, closed_at)

    # entries

    def entry(self, event: TicketEvent, text: str, kind: str, field: str | None = None,
              summary: str | None = None) -> Entry:
        label = self.labels[event.ticket_id]
        if summary is not None and label != ORIGINAL:
            summary = f"{label}: {summary}"
        return Entry(event.at, event.pk, label, event.actor_label, kind, text, field, summary)

    def entries(self, calendar: DayCalendar, runs: list[RunView]) -> list[Entry]:
        style = events.Style(zone=calendar.zone, name_ticket=lambda ticket_id: f"[{self.labels[ticket_id]}]",
                             name_task=self.task_name)
        entries = [self.entry_of(event, sentence.render(style))
                   for event, sentence in zip(self.events, events.describe_all(self.events))]
        entries += self.restarts(runs, entries)
        entries += self.overdue_tasks()
        return sorted(entries, key=lambda entry: (entry.at, entry.order))

    def task_name(self, task: events.TaskMention) -> str:
        """A task as the timeline names it: "attempt day 3 (cycle 2) “Second follow-up…”"."""
        label = self.task_label(task.ticket_id, task.key, task.at)
        return f"{label} “{task.title}”" if task.title else label

    def entry_of(self, event: TicketEvent, text: str) -> Entry:
        """The event's entry: its sentence from the audit registry, and what it adds to the day summary."""
        action, reading = event.action, events.read(event)
        if action == "ticket.created":
            if self.labels[event.ticket_id] == ORIGINAL:
                return self.entry(event, text, "ticket")
            return self.entry(event, text, "ticket", "tickets", "created, following up the closed ticket")
        if action.startswith("interaction."):
            return self.interaction_entry(event, text)
        if action == "task.created":
            task = self.created_task(event)
            return self.entry(event, f"{text} -> {task.ending(self.until)}", "task", "tasks", task.line(self.until))
        if action.startswith("task."):
            return self.entry(event, text, "task")
        if action in ("playbook.started", "playbook.ended"):
            after = reading.after
            summary = (f"started {after['playbook']}" if action == "playbook.started"
                       else f"ended {after['playbook']}: {after['outcome']}")
            return self.entry(event, text, "run", "runs", summary)
        if action.startswith("escalation."):
            return self.entry(event, text, "escalation", "escalation", reading.after["description"])
        if action.startswith("sla."):  # SLA clocks (caredesk.sla)
            return self.entry(event, text, "sla", "sla", reading.after["description"])
        if action.startswith("priority.") and action != "priority.changed":  # how it was reached (caredesk.sla)
            return self.entry(event, text, "priority", "priority", reading.after["explanation"])
        if action == "flag.raised":
            return self.entry(event, text, "flag", "flags", reading.after)
        if action.startswith("review."):  # SOP 002's "additional review" (caredesk.review)
            words = _REVIEW_FLAG_WORDS[action]
            return self.entry(event, text, "flag", "flags", f"{words} additional review: {reading.after['name']}")
        if action == "order.status.changed":
            return self.entry(event, text, "order_status", "order_status", reading.after)
        if action in ("status.changed", "group.changed", "assignee.changed"):
            return self.entry(event, text, event.field, event.field, _name(reading.after) or "-")
        return self.entry(event, text, ENTRY_KINDS.get(action, "change"))

    def interaction_entry(self, event: TicketEvent, text: str) -> Entry:
        interaction = event.interaction
        if interaction.kind == "note":
            return self.entry(event, text, "note", "notes", interaction.body)
        if interaction.kind == "call":
            return self.entry(event, text, "call")
        if interaction.direction == "inbound":
            return self.entry(event, text, "customer_message")
        body = " ".join(interaction.body.split())
        return self.entry(event, text, "message", "messages", f"{interaction.channel}: {body[:60]}")

    def restarts(self, runs: list[RunView], entries: list[Entry]) -> list[Entry]:
        """A restart shows just before the first change its playbook wrote at that instant."""
        restarts = []
        for run in runs:
            for cycle, start in enumerate(run.cycle_starts[1:], start=2):
                written = [entry.order for entry in entries if entry.at == start and entry.ticket == run.ticket
                           and entry.actor.startswith(f"{run.playbook}@")]
                order = min(written) - 0.5 if written else float("inf")
                summary = f"restarted {run.playbook}" if run.ticket == ORIGINAL else f"{run.ticket}: restarted {run.playbook}"
                restarts.append(Entry(start, order, run.ticket, f"{run.playbook}@v{run.version}", "run",
                                      f"playbook {run.playbook} starts again from day 1 (cycle {cycle})", "runs", summary))
        return restarts

    def overdue_tasks(self) -> list[Entry]:
        overdue = []
        for rows in self.tasks.values():
            for task, closed_at in rows:
                if task.overdue_at <= self.until and (closed_at is None or closed_at > task.overdue_at):
                    definition = task.run.definition
                    overdue.append(Entry(task.overdue_at, float("inf"), self.labels[task.ticket_id],
                                         f"{definition.name}@v{definition.version}", "task",
                                         f"task {self.task_view(task, closed_at).label()} is overdue: "
                                         "not done by the end of its day"))
        return overdue

    # runs and tickets

    def runs(self) -> list[RunView]:
        views, calendars = [], calendar_set()
        for run in PlaybookRun.objects.filter(ticket_id__in=self.ids).select_related("definition").order_by("started_at", "id"):
            starts = self.cycle_starts.get(run.pk, {})
            views.append(RunView(
                ticket=self.labels[run.ticket_id], playbook=run.definition.name, version=run.definition.version,
                days=playbook_of(run.definition, calendars).days, started_at=run.started_at, ended_at=run.ended_at,
                outcome=run.outcome, cycle_starts=tuple(starts[cycle] for cycle in sorted(starts)) or (run.started_at,),
                failures=run.failures, last_error=run.last_error,
            ))
        return views

    def ticket_views(self) -> list[TicketView]:
        flags = defaultdict(list)
        for flag in TicketFlag.objects.filter(ticket_id__in=self.ids, cleared_at__isnull=True):
            flags[flag.ticket_id].append(flag.flag)
        open_tasks = defaultdict(list)
        for rows in self.tasks.values():
            for task, closed_at in rows:
                if task.status == FollowUpTask.Status.OPEN:
                    open_tasks[task.ticket_id].append(self.task_view(task, closed_at).label())
        views = []
        for ticket in Ticket.objects.filter(pk__in=self.ids).select_related("group", "assignee", "order").order_by("id"):
            views.append(TicketView(
                label=self.labels[ticket.pk], subject=ticket.subject, follows_up=self.labels.get(ticket.follows_up_id),
                status=ticket.status,
                group=ticket.group.name if ticket.group else None,
                assignee=str(ticket.assignee) if ticket.assignee else None,
                order_status=ticket.order.status if ticket.order else None,
                flags=tuple(flags[ticket.pk]), open_tasks=tuple(open_tasks[ticket.pk]),
            ))
        return views


def read_result(*, title: str, file: str, start: datetime, until: datetime, calendar: DayCalendar,
                tickets: list[Ticket], cycle_starts: dict[int, dict[int, datetime]],
                report: tuple[str, ...] = ()) -> SimulationResult:
    """The result of a simulation of `tickets` (the scenario's ticket first, then its follow-ups)."""
    reader = _DatabaseReader(tickets, cycle_starts, until)
    runs = reader.runs()
    tasks = [reader.task_view(task, closed_at) for rows in reader.tasks.values() for task, closed_at in rows]
    return SimulationResult(
        title=title, file=file, start=start, until=until, calendar=calendar, tickets=tuple(reader.ticket_views()),
        runs=tuple(runs), tasks=tuple(sorted(tasks, key=lambda task: (task.due_at, task.key))),
        entries=tuple(reader.entries(calendar, runs)), report=report,
    )


# --- text and expectations ------------------------------------------------------------------------


def render_timeline(result: SimulationResult) -> str:
    """The timeline as plain text, day by day."""
    calendar = result.calendar
    several = len(result.tickets) > 1
    lines = [result.title, f"{result.file}; days counted as {calendar.describe()}", ""]
    for day in result.days():
        heading = f"Day {day.number} - {day.date:%a %d %b %Y}" if day.counted else (
            f"{day.date:%a %d %b %Y} - not a counted day, still day {day.number}")
        if day.runs:
            heading += "  [" + "; ".join(day.runs) + "]"
        lines.append(heading)
        if not day.entries:
            lines.append("  nothing happened")
        for entry in day.entries:
            where = f"[{entry.ticket}] " if several else ""
            lines.append(f"  {entry.at.astimezone(calendar.zone):%H:%M}  {entry.actor:<32} {where}{entry.text}")
        lines.append("")
    lines.append("Outcome")
    summary = result.summary()
    lines += [f"  {outcome}" for outcome in summary["outcomes"]] or ["  no playbook ran"]
    for ticket in result.tickets:
        link = f" (follows up the {ticket.follows_up})" if ticket.follows_up else ""
        final = ", ".join(f"{name.replace('_', ' ')} {', '.join(value) if isinstance(value, list) else json.dumps(value)}"
                          for name, value in ticket.final().items())
        lines.append(f"  {ticket.label}{link}: {final}")
    for run in result.runs:
        if run.failures:
            lines.append(f"  {run.playbook} on the {run.ticket} failed {run.failures} time(s): {run.last_error}")
    return "\n".join(lines) + "\n"


def _day_order(key: str) -> tuple[int, str]:
    match = _DAY_KEY.match(key)
    return (int(match[1]) if match else 0, key)


def _as_yaml(section) -> list[str]:
    if isinstance(section, dict) and all(isinstance(key, str) and key.startswith("day") for key in section):
        section = {key: section[key] for key in sorted(section, key=_day_order)}
    return yaml.safe_dump(section, sort_keys=False, allow_unicode=True, width=10_000).splitlines()


def expectation_diff(expected: dict, result: SimulationResult) -> str | None:
    """None when the result meets every section of the expectation; else a unified diff per section."""
    actual = result.summary()
    differences = []
    for section, wanted in expected.items():
        if wanted != actual[section]:
            differences += difflib.unified_diff(_as_yaml(wanted), _as_yaml(actual[section]), lineterm="",
                                                fromfile=f"expected {section}", tofile=f"simulated {section}")
    return "\n".join(differences) or None
