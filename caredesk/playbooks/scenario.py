"""Simulator scenarios: the YAML format and its loader.

A scenario is a ticket, a start time, the events that happen to the ticket at given times, when to stop,
and optionally the timeline it is expected to produce. It is read like a playbook file (`spec.YamlReader`):
every problem raises a `PlaybookError` naming the file, the line, the field and what was expected.
Nothing here touches the database; docs/simulator.md documents the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Callable, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml.nodes import MappingNode, Node, ScalarNode

from caredesk.playbooks.calendar import DayCalendar
from caredesk.playbooks.spec import (
    CHANNELS,
    DEFAULTS_DIRECTORY,
    Playbook,
    PlaybookError,
    SetAssignee,
    YamlReader,
    compose_yaml,
    describe_node,
    load_playbook,
)
from caredesk.tickets.lifecycle import STATUSES

THREADS = ("reply", "new")
INBOUND_CALL_OUTCOMES = ("missed", "abandoned", "voicemail_left", "answered")
LOGGED_CALL_OUTCOMES = ("answered", "no_answer", "busy", "failed", "voicemail_left")
EXPECTED_DAY_FIELDS = (
    "date", "notes", "status", "group", "assignee", "order_status", "flags", "tasks", "runs", "tickets", "messages",
    "escalation", "sla", "priority",
)
# Day fields a scenario shows only when it asks for them (`report: [sla, priority]`), so a playbook's scenario
# is not made to list the SLA clocks every ticket has.
REPORTED_ON_REQUEST = ("sla", "priority")
PRESENCES = ("available", "busy", "offline")
EXPECTED_FINAL_FIELDS = ("status", "group", "assignee", "order_status", "flags", "open_tasks")
ABSOLUTE_TIME = "a date-time with an offset (2025-07-07T09:00-04:00) or a time zone (2025-07-07 09:00 America/New_York)"
TIME_FORMATS = (
    f"{ABSOLUTE_TIME}, 'day N HH:MM' (day N of the playbooks' day count, local time), "
    "or a delay after the previous event such as '+2h', '+30m', '+1d2h', '+35s'"
)
_ZONED = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2})?)\s+([A-Za-z][\w+\-]*(?:/[\w+\-]+)*)$")
_DAY_TIME = re.compile(r"^day\s+(\d+)\s+(\d{1,2}):(\d{2})$")
_DELAY = re.compile(r"^\+\s*(?=\d)(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?$")


# --- what a scenario holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerSpec:
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    customer_type: str | None = None  # a CustomerType key


@dataclass(frozen=True)
class OrderSpec:
    industry: str | None = None  # an Industry key
    reference: str | None = None  # the external reference; generated when left out
    status: str = ""


@dataclass(frozen=True)
class TicketSpec:
    subject: str
    ticket_type: str  # a TicketType key
    customer: CustomerSpec
    status: str = "open"
    order: OrderSpec | None = None
    tags: tuple[str, ...] = ()
    assignee: str | None = None  # a username; the agent is created when missing
    message: str | None = None  # the customer's first email on the ticket


@dataclass(frozen=True)
class AgentSpec:
    """Another agent of the team, e.g. a Resolution Specialist the escalation ladder can ring."""

    username: str
    roles: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    presence: str = "offline"


@dataclass(frozen=True)
class AgentSetsStatus:
    """The working agent submits the ticket with a status (pending starts the general follow-up)."""

    status: str


@dataclass(frozen=True)
class AgentCompletesTask:
    """The working agent completes the open task of the ticket: what was tried, whether the customer was reached."""

    channels_tried: tuple[str, ...]
    reached: bool
    kind: str | None = None  # which open task, when the ticket has several


@dataclass(frozen=True)
class CustomerEmails:
    """An email from the customer: a reply in the thread, or a new thread."""

    thread: str
    body: str


@dataclass(frozen=True)
class CustomerCalls:
    """An inbound call from the customer, as the phone system records it."""

    outcome: str


@dataclass(frozen=True)
class AgentLogsCall:
    """The working agent logs an outbound call with its call notes, as every door requires (SOP 000)."""

    outcome: str


Action = Union[AgentSetsStatus, AgentCompletesTask, CustomerEmails, CustomerCalls, AgentLogsCall, object]

# Events other apps add to scenarios (the escalations app's, say): name -> parse(reader, node, path) -> action.
EXTRA_EVENTS: dict[str, Callable[[YamlReader, Node, str], object]] = {}


def register_event(name: str, parse: Callable[[YamlReader, Node, str], object]) -> None:
    EXTRA_EVENTS[name] = parse


@dataclass(frozen=True)
class ScenarioEvent:
    at: datetime
    action: Action
    path: str  # e.g. events[3], for errors found while running
    line: int


@dataclass(frozen=True)
class Scenario:
    title: str
    file: str
    start: datetime
    until: datetime
    calendar: DayCalendar  # how "day N" counts, and how the timeline numbers its days
    playbook_files: tuple[Path, ...]
    playbooks: tuple[Playbook, ...]
    ticket: TicketSpec
    events: tuple[ScenarioEvent, ...]
    description: str = ""
    agents: tuple[AgentSpec, ...] = ()
    expect: dict | None = None  # the expected summary, see timeline.summarize
    report: tuple[str, ...] = ()  # of REPORTED_ON_REQUEST
    closed_days: tuple[tuple[date, str], ...] = ()  # company holidays added to the default calendar
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # field path -> line, for later errors

    def owners(self) -> tuple[str, ...]:
        """The owners the playbooks name ("Roxy V"): the simulator creates them as agents."""
        names: list[str] = []
        for playbook in self.playbooks:
            instructions = [instruction for step in playbook.steps for instruction in step.if_not_reached]
            if playbook.end is not None:
                instructions += playbook.end.actions
                instructions += [instruction for variant in playbook.end.variants for instruction in variant.actions]
            names += [item.owner for item in instructions if isinstance(item, SetAssignee) and item.owner]
        return tuple(dict.fromkeys(names))

    def fail(self, path: str, expected: str, found: str | None = None) -> PlaybookError:
        """An error about a field found while running (an unknown key in the database, a refused event)."""
        return PlaybookError(self.file, self.lines.get(path), path, expected, found)


# --- the schema -----------------------------------------------------------------------------------


class _ScenarioSchema(YamlReader):
    def __init__(self, file: str):
        super().__init__(file)
        self.lines: dict[str, int] = {}

    def remember(self, node: Node, path: str) -> None:
        self.lines[path] = node.start_mark.line + 1

    def scenario(self, root: Node | None) -> Scenario:
        if root is None:
            self.fail(None, "", "a scenario mapping", "an empty file")
        fields = self.mapping(
            root, "", required=("title", "start", "ticket", "events", "until"),
            optional=("description", "playbooks", "days_of", "expect", "agents", "report", "closed_days"),
        )
        start = self.absolute_time(fields["start"], "start")
        playbook_files = self.playbook_files(fields.get("playbooks"))
        playbooks = tuple(load_playbook(path) for path in playbook_files)
        calendar = self.calendar(playbooks, fields.get("days_of"), root)
        closed_days = self.closed_days(fields["closed_days"]) if "closed_days" in fields else ()
        if closed_days:  # `day N` counts as the runner will, on the calendar with these days closed
            calendar = calendar.on(replace(calendar.hours, exceptions=tuple((day, ()) for day, _ in closed_days)))
        events = self.events(fields["events"], start, calendar)
        until = self.time(fields["until"], "until", start, events[-1].at, calendar)
        if until < events[-1].at:
            self.fail(fields["until"], "until", f"a time after the last event ({events[-1].at.isoformat()})",
                      until.isoformat())
        return Scenario(
            title=self.text(fields["title"], "title"),
            description=self.text(fields["description"], "description") if "description" in fields else "",
            file=self.file,
            start=start,
            until=until,
            calendar=calendar,
            playbook_files=playbook_files,
            playbooks=playbooks,
            ticket=self.ticket(fields["ticket"]),
            events=events,
            agents=self.agents(fields["agents"]) if "agents" in fields else (),
            expect=self.expectation(fields["expect"]) if "expect" in fields else None,
            report=self.choices(fields["report"], "report", REPORTED_ON_REQUEST) if "report" in fields else (),
            closed_days=closed_days,
            lines=self.lines,
        )

    # small values

    def boolean(self, node: Node, path: str) -> bool:
        value = self._scalar(node, path, "true or false")
        if not isinstance(value, bool):
            self.fail(node, path, "true or false", describe_node(node))
        return value

    def texts(self, node: Node, path: str) -> tuple[str, ...]:
        """A list of texts, or one text standing for a list of one."""
        if isinstance(node, ScalarNode):
            return (self.text(node, path),)
        return tuple(self.text(item, f"{path}[{index}]") for index, item in enumerate(self.sequence(node, path)))

    # times

    def raw(self, node: Node, path: str) -> str:
        """The text as written: YAML would turn a date-time into a naive datetime."""
        if not isinstance(node, ScalarNode) or not node.value.strip():
            self.fail(node, path, TIME_FORMATS, describe_node(node))
        return node.value.strip()

    def absolute_time(self, node: Node, path: str, expected: str = ABSOLUTE_TIME) -> datetime:
        text = self.raw(node, path)
        zoned = _ZONED.match(text)
        try:
            instant = datetime.fromisoformat(zoned[1]).replace(tzinfo=ZoneInfo(zoned[2])) if zoned else (
                datetime.fromisoformat(text))
        except (ValueError, ZoneInfoNotFoundError):
            self.fail(node, path, expected, repr(text))
        if instant.tzinfo is None:
            self.fail(node, path, expected, f"{text!r} without an offset or a time zone")
        return instant

    def time(self, node: Node, path: str, start: datetime, previous: datetime, calendar: DayCalendar) -> datetime:
        text = self.raw(node, path)
        delay = _DELAY.match(text)
        if delay:
            days, hours, minutes, seconds = (int(part or 0) for part in delay.groups())
            return previous + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        day_time = _DAY_TIME.match(text)
        if day_time:
            number, hour, minute = (int(part) for part in day_time.groups())
            if number < 1 or hour > 23 or minute > 59:
                self.fail(node, path, "'day N HH:MM' with N of at least 1 and a time of day from 00:00 to 23:59", repr(text))
            return datetime.combine(calendar.day_date(start, number), time(hour, minute), tzinfo=calendar.zone)
        return self.absolute_time(node, path, TIME_FORMATS)

    # playbooks and day counting

    def playbook_files(self, node: Node | None) -> tuple[Path, ...]:
        """Files (or directories of *.yaml) relative to the scenario; the shipped defaults when left out."""
        if node is None:
            return tuple(sorted(DEFAULTS_DIRECTORY.glob("*.yaml")))
        here = Path(self.file).parent
        files: list[Path] = []
        for index, item in enumerate(self.sequence(node, "playbooks")):
            path = here / self.text(item, f"playbooks[{index}]")
            if path.is_dir():
                files += sorted(path.glob("*.yaml"))
            elif path.is_file():
                files.append(path)
            else:
                self.fail(item, f"playbooks[{index}]", "a playbook file or directory", f"no such path {str(path)!r}")
        return tuple(files)

    def calendar(self, playbooks: tuple[Playbook, ...], node: Node | None, root: Node) -> DayCalendar:
        by_name = {playbook.name: playbook for playbook in playbooks}
        if node is not None:
            name = self.choice(node, "days_of", tuple(sorted(by_name)))
            return by_name[name].days
        calendars = {playbook.days for playbook in playbooks}
        if len(calendars) != 1:
            self.fail(root, "days_of", "the name of the playbook whose day count 'day N' follows "
                      "(the playbooks in use count days differently)")
        return calendars.pop()

    def closed_days(self, node: Node) -> tuple[tuple[date, str], ...]:
        """Company holidays: `- {date: 2025-06-04, description: Company holiday}`."""
        days = []
        for index, item in enumerate(self.sequence(node, "closed_days")):
            path = f"closed_days[{index}]"
            fields = self.mapping(item, path, required=("date", "description"))
            text = self.raw(fields["date"], f"{path}.date")
            try:
                day = date.fromisoformat(text)
            except ValueError:
                self.fail(fields["date"], f"{path}.date", "a date such as 2025-06-04", repr(text))
            days.append((day, self.text(fields["description"], f"{path}.description")))
        return tuple(sorted(days))

    # the team

    def agents(self, node: Node) -> tuple[AgentSpec, ...]:
        agents = []
        for index, item in enumerate(self.sequence(node, "agents")):
            path = f"agents[{index}]"
            fields = self.mapping(item, path, required=("username",), optional=("roles", "skills", "presence"))
            agents.append(AgentSpec(
                username=self.text(fields["username"], f"{path}.username"),
                roles=self.texts(fields["roles"], f"{path}.roles") if "roles" in fields else (),
                skills=self.texts(fields["skills"], f"{path}.skills") if "skills" in fields else (),
                presence=self.choice(fields["presence"], f"{path}.presence", PRESENCES) if "presence" in fields
                else "offline",
            ))
        return tuple(agents)

    # the ticket

    def ticket(self, node: Node) -> TicketSpec:
        fields = self.mapping(
            node, "ticket", required=("subject", "type", "customer"),
            optional=("status", "order", "tags", "assignee", "message"),
        )
        self.remember(fields["type"], "ticket.type")
        order_node = fields.get("order")
        no_order = order_node is None or (isinstance(order_node, ScalarNode) and order_node.value in ("", "~", "null", "none"))
        assignee = None
        if "assignee" in fields:
            self.remember(fields["assignee"], "ticket.assignee")
            assignee = self.text(fields["assignee"], "ticket.assignee")
        return TicketSpec(
            subject=self.text(fields["subject"], "ticket.subject"),
            ticket_type=self.slug(fields["type"], "ticket.type"),
            customer=self.customer(fields["customer"]),
            status=self.choice(fields["status"], "ticket.status", STATUSES) if "status" in fields else "open",
            order=None if no_order else self.order(order_node),
            tags=self.texts(fields["tags"], "ticket.tags") if "tags" in fields else (),
            assignee=assignee,
            message=self.text(fields["message"], "ticket.message") if "message" in fields else None,
        )

    def customer(self, node: Node) -> CustomerSpec:
        fields = self.mapping(node, "ticket.customer", required=("name",), optional=("emails", "phones", "type"))
        for name in ("emails", "phones", "type"):
            if name in fields:
                self.remember(fields[name], f"ticket.customer.{name}")
        return CustomerSpec(
            name=self.text(fields["name"], "ticket.customer.name"),
            emails=self.texts(fields["emails"], "ticket.customer.emails") if "emails" in fields else (),
            phones=self.texts(fields["phones"], "ticket.customer.phones") if "phones" in fields else (),
            customer_type=self.slug(fields["type"], "ticket.customer.type") if "type" in fields else None,
        )

    def order(self, node: Node) -> OrderSpec:
        fields = self.mapping(node, "ticket.order", optional=("industry", "reference", "status"))
        if "industry" in fields:
            self.remember(fields["industry"], "ticket.order.industry")
        return OrderSpec(
            industry=self.slug(fields["industry"], "ticket.order.industry") if "industry" in fields else None,
            reference=self.text(fields["reference"], "ticket.order.reference") if "reference" in fields else None,
            status=self.text(fields["status"], "ticket.order.status") if "status" in fields else "",
        )

    # events

    def events(self, node: Node, start: datetime, calendar: DayCalendar) -> tuple[ScenarioEvent, ...]:
        actions = {
            "status": self.set_status, "complete_task": self.complete_task, "customer_email": self.customer_email,
            "inbound_call": self.inbound_call, "log_call": self.log_call,
            **{name: lambda value, path, parse=parse: parse(self, value, path) for name, parse in EXTRA_EVENTS.items()},
        }
        events: list[ScenarioEvent] = []
        previous = start
        for index, item in enumerate(self.sequence(node, "events")):
            path = f"events[{index}]"
            fields = self.mapping(item, path, required=("at",), optional=tuple(actions))
            if len(fields) != 2:
                self.fail(item, path, f"'at' and exactly one action ({', '.join(actions)})", f"{len(fields) - 1} actions")
            at = self.time(fields["at"], f"{path}.at", start, previous, calendar)
            if at < previous:
                what = "the start" if index == 0 else "the previous event"
                self.fail(fields["at"], f"{path}.at", f"a time at or after {what} ({previous.isoformat()})", at.isoformat())
            (name, value), = ((name, value) for name, value in fields.items() if name != "at")
            events.append(ScenarioEvent(at, actions[name](value, f"{path}.{name}"), path, item.start_mark.line + 1))
            previous = at
        return tuple(events)

    def set_status(self, node: Node, path: str) -> AgentSetsStatus:
        return AgentSetsStatus(self.choice(node, path, STATUSES))

    def complete_task(self, node: Node, path: str) -> AgentCompletesTask:
        fields = self.mapping(node, path, optional=("tried", "reached", "kind"))
        tried = self.choices(fields["tried"], f"{path}.tried", CHANNELS) if "tried" in fields else ()
        reached = self.boolean(fields["reached"], f"{path}.reached") if "reached" in fields else False
        if not tried and not reached:
            self.fail(node, path, "'tried: [channels]' and/or 'reached: true'", "neither")
        kind = self.slug(fields["kind"], f"{path}.kind") if "kind" in fields else None
        return AgentCompletesTask(tried, reached, kind)

    def customer_email(self, node: Node, path: str) -> CustomerEmails:
        """`reply`, `new`, or `{thread: reply|new, body: TEXT}`."""
        if isinstance(node, MappingNode):
            fields = self.mapping(node, path, required=("thread",), optional=("body",))
            thread = self.choice(fields["thread"], f"{path}.thread", THREADS)
            body = self.text(fields["body"], f"{path}.body") if "body" in fields else None
        else:
            thread, body = self.choice(node, path, THREADS), None
        return CustomerEmails(thread, body or ("A new email from the customer." if thread == "new" else "Re: my ticket"))

    def inbound_call(self, node: Node, path: str) -> CustomerCalls:
        return CustomerCalls(self.choice(node, path, INBOUND_CALL_OUTCOMES))

    def log_call(self, node: Node, path: str) -> AgentLogsCall:
        """`OUTCOME` or `{outcome: OUTCOME}`."""
        if not isinstance(node, MappingNode):
            return AgentLogsCall(self.choice(node, path, LOGGED_CALL_OUTCOMES))
        fields = self.mapping(node, path, required=("outcome",))
        return AgentLogsCall(self.choice(fields["outcome"], f"{path}.outcome", LOGGED_CALL_OUTCOMES))

    # the expected summary

    def expectation(self, node: Node) -> dict:
        fields = self.mapping(node, "expect", optional=("days", "outcomes", "final"))
        expected: dict = {}
        if "days" in fields:
            days = self.mapping_of_any_keys(fields["days"], "expect.days")
            expected["days"] = {
                key: self.expected_fields(value, f"expect.days.{key}", EXPECTED_DAY_FIELDS, single=("date",))
                for key, value in days.items()
            }
        if "outcomes" in fields:
            expected["outcomes"] = list(self.texts(fields["outcomes"], "expect.outcomes"))
        if "final" in fields:
            tickets = self.mapping_of_any_keys(fields["final"], "expect.final")
            expected["final"] = {
                key: self.expected_fields(value, f"expect.final.{key}", EXPECTED_FINAL_FIELDS,
                                          single=("status", "group", "assignee", "order_status"))
                for key, value in tickets.items()
            }
        return expected

    def mapping_of_any_keys(self, node: Node, path: str) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            self.fail(node, path, "a mapping", describe_node(node))
        return {str(key.value): value for key, value in node.value}

    def expected_fields(self, node: Node, path: str, names: tuple[str, ...], single: tuple[str, ...]) -> dict:
        fields = self.mapping(node, path, optional=names)
        return {
            name: self.text(value, f"{path}.{name}") if name in single else list(self.texts(value, f"{path}.{name}"))
            for name, value in fields.items()
        }


def parse_scenario(text: str, file: str) -> Scenario:
    """Parse and validate the text of a scenario file (playbook paths are relative to `file`)."""
    return _ScenarioSchema(file).scenario(compose_yaml(text, file))
