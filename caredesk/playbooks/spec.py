"""Playbook files: the YAML format, its schema, and the loader.

A playbook file is read with `yaml.compose`, so every node keeps its line, and validated by hand
against the schema below. Every problem raises a `PlaybookError` naming the file, the line, the field
path (e.g. `steps[2].if_not_reached[0].note`) and what was expected. docs/playbooks.md documents
the format with an annotated example.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from caredesk.playbooks.calendar import COUNTING_KINDS, DayCalendar, holiday_calendar

DEFAULTS_DIRECTORY = Path(__file__).with_name("defaults")

CHANNELS = ("email", "call", "text")
TICKET_STATUSES = ("new", "open", "pending", "solved", "closed")
TRIGGER_EVENTS = ("ticket_pending", "customer_email_on_ticket", "escalation_agreed_to_wait", "escalation_voicemail")
RUN_EVENTS = (
    "escalation_requested",
    "customer_reply",
    "customer_new_email",
    "call_answered",
    "call_missed",
    "call_abandoned",
    "ticket_solved",
    "ticket_closed",
)
END_OUTCOMES = ("unresponsive_closed", "bot_issue_handed_off", "refund_escalation", "escalation_handed_over")
ATTEMPT_FROM_CONTACT_DATA = "from_contact_data"
ATTEMPT_CALL = "call"
ATTEMPT_KINDS = (ATTEMPT_FROM_CONTACT_DATA, ATTEMPT_CALL)
NEW_TASK_KINDS = ("call", "email", "text", "escalation")
WORKING_AGENT = "working_agent"
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


class PlaybookError(ValueError):
    """A playbook file that does not follow the schema."""

    def __init__(self, file: str, line: int | None, field_path: str, expected: str, found: str | None = None):
        self.file = file
        self.line = line
        self.field_path = field_path
        self.expected = expected
        self.found = found
        where = f"{file}, line {line}" if line else file
        message = f"{where}: {field_path or '(top level)'}: expected {expected}"
        if found is not None:
            message += f", found {found}"
        super().__init__(message)


# --- conditions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueMatch:
    """Values to include (any of) and to exclude (none of); an empty include list means any value."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def matches(self, value: str | None) -> bool:
        if self.include and value not in self.include:
            return False
        return value not in self.exclude

    def matches_set(self, values: frozenset[str]) -> bool:
        """For tags: at least one included tag present, and no excluded tag present."""
        if self.include and not values.intersection(self.include):
            return False
        return not values.intersection(self.exclude)


@dataclass(frozen=True)
class Conditions:
    """All the given fields must match; a field left out matches anything."""

    ticket_type: ValueMatch | None = None
    industry: ValueMatch | None = None
    customer_type: ValueMatch | None = None
    status: ValueMatch | None = None
    tags: ValueMatch | None = None


CONDITION_FIELDS = ("ticket_type", "industry", "customer_type", "status", "tags")


@dataclass(frozen=True)
class Trigger:
    event: str
    when: tuple[Conditions, ...] = ()  # any one of them; empty means every ticket


# --- instructions: what a step or the end does; the engine emits the same objects as decisions -----


@dataclass(frozen=True)
class AddInternalNote:
    text: str


@dataclass(frozen=True)
class SetStatus:
    status: str


@dataclass(frozen=True)
class SetGroup:
    group: str


@dataclass(frozen=True)
class SetAssignee:
    """Either the agent working the ticket, or a named owner from the playbook data."""

    working_agent: bool = False
    owner: str | None = None


@dataclass(frozen=True)
class SetOrderStatus:
    order_status: str


@dataclass(frozen=True)
class SetFlag:
    flag: str


@dataclass(frozen=True)
class NewTask:
    """A task to create (an email follow-up, an escalation...), overdue at the end of a day."""

    kind: str
    title: str
    overdue_at_end_of_day: int | None = None  # None: the end of the day it is created on


Instruction = Union[AddInternalNote, SetStatus, SetGroup, SetAssignee, SetOrderStatus, SetFlag, NewTask]


# --- the playbook ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    day: int
    title: str
    attempt: str | None = None  # None: "no action needed"
    if_not_reached: tuple[Instruction, ...] = ()
    overdue_at_end_of_day: int | None = None  # the attempt's deadline; None: the end of its own day

    @property
    def overdue_day(self) -> int:
        return self.overdue_at_end_of_day or self.day

    @property
    def key(self) -> str:
        return f"day-{self.day}"


@dataclass(frozen=True)
class EndVariant:
    name: str
    when: tuple[Conditions, ...]
    outcome: str
    actions: tuple[Instruction, ...]


@dataclass(frozen=True)
class End:
    """What happens when the steps are over: at the start of `day`, or at the end of `after_day`."""

    title: str
    outcome: str
    actions: tuple[Instruction, ...]
    day: int | None = None
    after_day: int | None = None
    variants: tuple[EndVariant, ...] = ()


@dataclass(frozen=True)
class TransferRung:
    """One rung of a warm-transfer ladder: available agents with this role and skill are rung at once."""

    title: str
    role: str
    skill: str
    answer_within_seconds: int


@dataclass(frozen=True)
class Escalation:
    """What an escalation does beside the follow-up (SOP 002/003): read by the escalations app, not the engine."""

    tag: str  # put on the ticket when the customer asks; other playbooks' conditions read it
    say_before_transfer: str  # what the agent tells a customer who refuses to wait
    transfer: tuple[TransferRung, ...]
    voicemail_callback_task: str
    voicemail_callback_role: str


@dataclass(frozen=True)
class Playbook:
    name: str
    version: int
    title: str
    description: str
    trigger: Trigger
    days: DayCalendar
    steps: tuple[Step, ...]
    restart_on: tuple[str, ...]
    stop_on: tuple[str, ...]
    end: End | None = None
    send_automatically: tuple[tuple[str, str], ...] = ()  # (channel, template) pairs
    flag_calls_without_notes: str | None = None
    sop: str | None = None  # which SOP (and section) this playbook reproduces
    escalation: Escalation | None = None
    file: str = field(default="<string>", compare=False)

    def template_for(self, channel: str) -> str | None:
        """The outbox template if this channel is sent automatically, else None."""
        return dict(self.send_automatically).get(channel)


# --- reading nodes --------------------------------------------------------------------------------


def describe_node(node: Node | None) -> str:
    """What a yaml node holds, as an error message's "found" says it."""
    if node is None:
        return "nothing"
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    value = SafeConstructor().construct_object(node, deep=True)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (put the word in quotes if you meant text)"
    if isinstance(value, str):
        return repr(value)
    return f"{type(value).__name__} {value!r}"


class YamlReader:
    """Checks yaml nodes against a schema and raises PlaybookError with the exact line: the base of the
    playbook file schema here and of the simulator's scenario schema (scenario.py)."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, node: Node | None, path: str, expected: str, found: str | None = None) -> NoReturn:
        line = node.start_mark.line + 1 if node is not None else None
        raise PlaybookError(self.file, line, path, expected, found)

    def mapping(
        self, node: Node, path: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
    ) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            self.fail(node, path, "a mapping", describe_node(node))
        result: dict[str, Node] = {}
        allowed = required + optional
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            key_path = f"{path}.{key}" if path else str(key)
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                expected = f"one of the fields {', '.join(allowed)}"
                if hint:
                    expected = f"'{hint[0]}' ({expected})"
                self.fail(key_node, key_path, expected, f"unknown field {key!r}")
            if key in result:
                self.fail(key_node, key_path, "each field once", "it a second time")
            result[key] = value_node
        for key in required:
            if key not in result:
                self.fail(node, f"{path}.{key}" if path else key, "this required field", "it missing")
        return result

    def sequence(self, node: Node, path: str) -> list[Node]:
        if not isinstance(node, SequenceNode) or not node.value:
            self.fail(node, path, "a non-empty list", describe_node(node))
        return list(node.value)

    def _scalar(self, node: Node, path: str, expected: str) -> object:
        if not isinstance(node, ScalarNode):
            self.fail(node, path, expected, describe_node(node))
        return SafeConstructor().construct_object(node, deep=True)

    def text(self, node: Node, path: str) -> str:
        value = self._scalar(node, path, "text")
        if isinstance(value, bool) or value is None:
            self.fail(node, path, "text", describe_node(node))
        text = str(value).strip()
        if not text:
            self.fail(node, path, "non-empty text", "empty text")
        return text

    def slug(self, node: Node, path: str) -> str:
        value = self._scalar(node, path, "a key in lower case (letters, digits, underscores)")
        if not isinstance(value, str) or not _SLUG.match(value):
            self.fail(node, path, "a key in lower case (letters, digits, underscores)", describe_node(node))
        return value

    def choice(self, node: Node, path: str, choices: tuple[str, ...]) -> str:
        value = self._scalar(node, path, f"one of {', '.join(choices)}")
        if value not in choices:
            self.fail(node, path, f"one of {', '.join(choices)}", describe_node(node))
        return value

    def integer(self, node: Node, path: str, minimum: int) -> int:
        value = self._scalar(node, path, f"a whole number of at least {minimum}")
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(node, path, f"a whole number of at least {minimum}", describe_node(node))
        return value

    def choices(self, node: Node, path: str, choices: tuple[str, ...]) -> tuple[str, ...]:
        items = self.sequence(node, path)
        values = tuple(self.choice(item, f"{path}[{index}]", choices) for index, item in enumerate(items))
        for index, value in enumerate(values):
            if value in values[:index]:
                self.fail(items[index], f"{path}[{index}]", "each value once", f"{value!r} again")
        return values


# --- the schema -----------------------------------------------------------------------------------


class _PlaybookSchema(YamlReader):
    def playbook(self, root: Node | None) -> Playbook:
        if root is None:
            self.fail(None, "", "a playbook mapping", "an empty file")
        fields = self.mapping(
            root,
            "",
            required=("name", "version", "title", "description", "trigger", "days", "steps", "restart_on", "stop_on"),
            optional=("sop", "end", "send_automatically", "flag_calls_without_notes", "escalation"),
        )
        steps = self.steps(fields["steps"])
        restart_on = self.choices(fields["restart_on"], "restart_on", RUN_EVENTS)
        stop_on = self.choices(fields["stop_on"], "stop_on", RUN_EVENTS)
        for index, event in enumerate(stop_on):
            if event in restart_on:
                self.fail(fields["stop_on"].value[index], f"stop_on[{index}]", "an event not also in restart_on", repr(event))
        end = self.end(fields["end"], steps) if "end" in fields else None
        flag_node = fields.get("flag_calls_without_notes")
        return Playbook(
            name=self.slug(fields["name"], "name"),
            version=self.integer(fields["version"], "version", 1),
            title=self.text(fields["title"], "title"),
            description=self.text(fields["description"], "description"),
            trigger=self.trigger(fields["trigger"]),
            days=self.days(fields["days"]),
            steps=steps,
            restart_on=restart_on,
            stop_on=stop_on,
            end=end,
            send_automatically=self.send_automatically(fields.get("send_automatically")),
            flag_calls_without_notes=self.slug(flag_node, "flag_calls_without_notes") if flag_node is not None else None,
            sop=self.text(fields["sop"], "sop") if "sop" in fields else None,
            escalation=self.escalation(fields["escalation"]) if "escalation" in fields else None,
            file=self.file,
        )

    def trigger(self, node: Node) -> Trigger:
        fields = self.mapping(node, "trigger", required=("event",), optional=("when",))
        when = self.condition_list(fields["when"], "trigger.when") if "when" in fields else ()
        return Trigger(event=self.choice(fields["event"], "trigger.event", TRIGGER_EVENTS), when=when)

    def condition_list(self, node: Node, path: str) -> tuple[Conditions, ...]:
        return tuple(self.conditions(item, f"{path}[{index}]") for index, item in enumerate(self.sequence(node, path)))

    def conditions(self, node: Node, path: str) -> Conditions:
        fields = self.mapping(node, path, optional=CONDITION_FIELDS)
        if not fields:
            self.fail(node, path, f"at least one of {', '.join(CONDITION_FIELDS)}", "an empty mapping")
        return Conditions(**{name: self.value_match(value, f"{path}.{name}") for name, value in fields.items()})

    def value_match(self, node: Node, path: str) -> ValueMatch:
        """`key`, `[key, key]` (include any of them), or `{include: [...], exclude: [...]}`."""
        if isinstance(node, MappingNode):
            fields = self.mapping(node, path, optional=("include", "exclude"))
            if not fields:
                self.fail(node, path, "include and/or exclude", "an empty mapping")
            return ValueMatch(
                include=self.slug_list(fields["include"], f"{path}.include") if "include" in fields else (),
                exclude=self.slug_list(fields["exclude"], f"{path}.exclude") if "exclude" in fields else (),
            )
        return ValueMatch(include=self.slug_list(node, path))

    def slug_list(self, node: Node, path: str) -> tuple[str, ...]:
        if isinstance(node, SequenceNode):
            return tuple(self.slug(item, f"{path}[{index}]") for index, item in enumerate(self.sequence(node, path)))
        return (self.slug(node, path),)

    def days(self, node: Node) -> DayCalendar:
        fields = self.mapping(node, "days", required=("count", "timezone"), optional=("holidays", "holiday_subdivision", "calendar"))
        counting = self.choice(fields["count"], "days.count", COUNTING_KINDS)
        zone = self.text(fields["timezone"], "days.timezone")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(fields["timezone"], "days.timezone", "an IANA time zone such as America/New_York", repr(zone))
        country = self.text(fields["holidays"], "days.holidays") if "holidays" in fields else None
        subdivision_node = fields.get("holiday_subdivision")
        subdivision = self.text(subdivision_node, "days.holiday_subdivision") if subdivision_node is not None else None
        if subdivision and not country:
            self.fail(subdivision_node, "days.holiday_subdivision", "days.holidays (a country) as well", "no country")
        if country:
            try:
                holiday_calendar(country, subdivision)
            except NotImplementedError as error:
                culprit, at = ("holiday_subdivision", subdivision_node) if subdivision else ("holidays", fields["holidays"])
                self.fail(at, f"days.{culprit}", "a country (and subdivision) known to the holidays package, e.g. US", str(error))
        calendar = self.text(fields["calendar"], "days.calendar") if "calendar" in fields else None
        return DayCalendar(counting=counting, timezone=zone, holiday_country=country, holiday_subdivision=subdivision,
                           calendar=calendar)

    def steps(self, node: Node) -> tuple[Step, ...]:
        steps = []
        for index, item in enumerate(self.sequence(node, "steps")):
            path = f"steps[{index}]"
            fields = self.mapping(
                item, path, required=("day", "title"),
                optional=("attempt", "if_not_reached", "no_action_needed", "overdue_at_end_of_day"),
            )
            day = self.integer(fields["day"], f"{path}.day", 1)
            previous = steps[-1].day if steps else 0
            if index == 0 and day != 1:
                self.fail(fields["day"], f"{path}.day", "the first step on day 1", f"day {day}")
            if day <= previous:
                self.fail(fields["day"], f"{path}.day", f"a day after day {previous}", f"day {day}")
            has_attempt = "attempt" in fields
            if has_attempt == ("no_action_needed" in fields):
                self.fail(item, path, "exactly one of 'attempt' or 'no_action_needed: true'", "both" if has_attempt else "neither")
            if not has_attempt:
                if self._scalar(fields["no_action_needed"], f"{path}.no_action_needed", "true") is not True:
                    self.fail(fields["no_action_needed"], f"{path}.no_action_needed", "true", describe_node(fields["no_action_needed"]))
                for name in ("if_not_reached", "overdue_at_end_of_day"):
                    if name in fields:
                        self.fail(fields[name], f"{path}.{name}", f"no {name} on a step without an attempt")
            overdue_day = None
            if "overdue_at_end_of_day" in fields:
                overdue_day = self.integer(fields["overdue_at_end_of_day"], f"{path}.overdue_at_end_of_day", day)
            steps.append(
                Step(
                    day=day,
                    title=self.text(fields["title"], f"{path}.title"),
                    attempt=self.choice(fields["attempt"], f"{path}.attempt", ATTEMPT_KINDS) if has_attempt else None,
                    if_not_reached=self.instructions(fields["if_not_reached"], f"{path}.if_not_reached")
                    if "if_not_reached" in fields
                    else (),
                    overdue_at_end_of_day=overdue_day,
                )
            )
        return tuple(steps)

    def end(self, node: Node, steps: tuple[Step, ...]) -> End:
        fields = self.mapping(
            node, "end", required=("title", "outcome", "actions"), optional=("day", "after_day", "variants")
        )
        last_day = steps[-1].day
        if ("day" in fields) == ("after_day" in fields):
            self.fail(node, "end", "exactly one of 'day' (at its start) or 'after_day' (at its end)")
        if "day" in fields:
            day, after_day = self.integer(fields["day"], "end.day", last_day + 1), None
        else:
            day, after_day = None, self.integer(fields["after_day"], "end.after_day", last_day)
        variants = ()
        if "variants" in fields:
            variants = tuple(
                self.variant(item, f"end.variants[{index}]")
                for index, item in enumerate(self.sequence(fields["variants"], "end.variants"))
            )
        return End(
            title=self.text(fields["title"], "end.title"),
            outcome=self.choice(fields["outcome"], "end.outcome", END_OUTCOMES),
            actions=self.instructions(fields["actions"], "end.actions"),
            day=day,
            after_day=after_day,
            variants=variants,
        )

    def variant(self, node: Node, path: str) -> EndVariant:
        fields = self.mapping(node, path, required=("name", "when", "outcome", "actions"))
        return EndVariant(
            name=self.text(fields["name"], f"{path}.name"),
            when=self.condition_list(fields["when"], f"{path}.when"),
            outcome=self.choice(fields["outcome"], f"{path}.outcome", END_OUTCOMES),
            actions=self.instructions(fields["actions"], f"{path}.actions"),
        )

    def instructions(self, node: Node, path: str) -> tuple[Instruction, ...]:
        return tuple(self.instruction(item, f"{path}[{index}]") for index, item in enumerate(self.sequence(node, path)))

    def instruction(self, node: Node, path: str) -> Instruction:
        names = ("note", "status", "group", "assignee", "order_status", "flag", "create_task")
        fields = self.mapping(node, path, optional=names)
        if len(fields) != 1:
            self.fail(node, path, f"exactly one action ({', '.join(names)})", f"{len(fields)} of them")
        (name, value), = fields.items()
        at = f"{path}.{name}"
        if name == "note":
            return AddInternalNote(self.text(value, at))
        if name == "status":
            return SetStatus(self.choice(value, at, TICKET_STATUSES))
        if name == "group":
            return SetGroup(self.text(value, at))
        if name == "assignee":
            return self.assignee(value, at)
        if name == "order_status":
            return SetOrderStatus(self.text(value, at))
        if name == "flag":
            return SetFlag(self.slug(value, at))
        return self.new_task(value, at)

    def assignee(self, node: Node, path: str) -> SetAssignee:
        if isinstance(node, MappingNode):
            fields = self.mapping(node, path, required=("owner",))
            return SetAssignee(owner=self.text(fields["owner"], f"{path}.owner"))
        if self._scalar(node, path, f"'{WORKING_AGENT}' or {{owner: NAME}}") != WORKING_AGENT:
            self.fail(node, path, f"'{WORKING_AGENT}' or {{owner: NAME}}", describe_node(node))
        return SetAssignee(working_agent=True)

    def new_task(self, node: Node, path: str) -> NewTask:
        fields = self.mapping(node, path, required=("kind", "title"), optional=("overdue_at_end_of_day",))
        overdue = fields.get("overdue_at_end_of_day")
        return NewTask(
            kind=self.choice(fields["kind"], f"{path}.kind", NEW_TASK_KINDS),
            title=self.text(fields["title"], f"{path}.title"),
            overdue_at_end_of_day=self.integer(overdue, f"{path}.overdue_at_end_of_day", 1) if overdue is not None else None,
        )

    def escalation(self, node: Node) -> Escalation:
        fields = self.mapping(node, "escalation", required=("tag", "say_before_transfer", "transfer", "voicemail"))
        rungs = []
        for index, item in enumerate(self.sequence(fields["transfer"], "escalation.transfer")):
            path = f"escalation.transfer[{index}]"
            rung = self.mapping(item, path, required=("title", "role", "skill", "answer_within_seconds"))
            rungs.append(TransferRung(
                title=self.text(rung["title"], f"{path}.title"),
                role=self.text(rung["role"], f"{path}.role"),
                skill=self.text(rung["skill"], f"{path}.skill"),
                answer_within_seconds=self.integer(rung["answer_within_seconds"], f"{path}.answer_within_seconds", 5),
            ))
        voicemail = self.mapping(fields["voicemail"], "escalation.voicemail", required=("callback_task", "callback_role"))
        return Escalation(
            tag=self.slug(fields["tag"], "escalation.tag"),
            say_before_transfer=self.text(fields["say_before_transfer"], "escalation.say_before_transfer"),
            transfer=tuple(rungs),
            voicemail_callback_task=self.text(voicemail["callback_task"], "escalation.voicemail.callback_task"),
            voicemail_callback_role=self.text(voicemail["callback_role"], "escalation.voicemail.callback_role"),
        )

    def send_automatically(self, node: Node | None) -> tuple[tuple[str, str], ...]:
        """`{email: TEMPLATE, text: TEMPLATE}`: these channels go through the outbox, not the agent."""
        if node is None:
            return ()
        fields = self.mapping(node, "send_automatically", optional=("email", "text"))
        return tuple((channel, self.slug(value, f"send_automatically.{channel}")) for channel, value in fields.items())


# --- loading --------------------------------------------------------------------------------------


def compose_yaml(text: str, file: str) -> Node | None:
    """The YAML node tree of a file's text, every node with its line; a syntax error is a PlaybookError."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise PlaybookError(file, line, "", "valid YAML", str(error.problem or error.context)) from error


def parse_playbook(text: str, file: str = "<string>") -> Playbook:
    """Parse and validate the text of one playbook file."""
    return _PlaybookSchema(file).playbook(compose_yaml(text, file))


def load_playbook(path: str | Path) -> Playbook:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PlaybookError(str(path), None, "", "a readable UTF-8 file", str(error)) from error
    return parse_playbook(text, str(path))


def load_playbooks(directory: str | Path) -> tuple[Playbook, ...]:
    """Every `*.yaml` file in a directory, sorted by name then version; a repeated (name, version) is an error."""
    playbooks = sorted(
        (load_playbook(path) for path in sorted(Path(directory).glob("*.yaml"))),
        key=lambda playbook: (playbook.name, playbook.version),
    )
    seen: dict[tuple[str, int], Playbook] = {}
    for playbook in playbooks:
        identity = (playbook.name, playbook.version)
        if identity in seen:
            raise PlaybookError(
                playbook.file,
                None,
                "name",
                f"a name and version not already used by {seen[identity].file}",
                f"{playbook.name} version {playbook.version} again",
            )
        seen[identity] = playbook
    return tuple(playbooks)


def default_playbooks() -> tuple[Playbook, ...]:
    """The playbooks shipped with caredesk, reproducing the SOPs."""
    return load_playbooks(DEFAULTS_DIRECTORY)


def latest_versions(playbooks: tuple[Playbook, ...]) -> dict[str, Playbook]:
    """The highest version of each playbook name."""
    latest: dict[str, Playbook] = {}
    for playbook in playbooks:
        if playbook.name not in latest or playbook.version > latest[playbook.name].version:
            latest[playbook.name] = playbook
    return latest
