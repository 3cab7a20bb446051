"""The one registry of audit event kinds: what each kind writes and how it reads in a timeline.

Each app declares its kinds in its own `events.py` (loaded by its AppConfig.ready) with `register`:

    register(TicketEvent, EventKind("flag.raised", "raised the flag {after}", field="flags", after=VALUE))

A kind states its payload (the `field` column and the shape of `before` and `after`) and its sentence: a
template whose names are filled from the payload (`{before}`, `{after}`, `{field}`, or the keys of a
record) or by the kind's `values` function. `AuditEvent.build` refuses a kind that is not declared, or a
payload of another shape, so a writer cannot drift from the declaration; a sentence reads the payload
through `Reading`, which refuses a key the kind does not declare, so a reader cannot drift either.

Every timeline renders from here: `describe_all(events)` gives one `Sentence` per event (loading what
the sentences mention, such as follow-up task titles, in one query per loader), and a `Style` renders it
as text (the API's `summary`, the simulator) or as HTML (the workspace, the customer page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone


class UndeclaredEvent(Exception):
    """An audit event of a kind nobody declared, or with a payload its declaration does not allow."""


# --- payload shapes -------------------------------------------------------------------------------


class Shape:
    """What `before` or `after` of a kind holds."""

    def problem(self, value: Any) -> str | None:
        """Why `value` does not fit, or None."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def read(self, value: Any, action: str) -> Any:
        return value


class _Nothing(Shape):
    def problem(self, value):
        return None if value is None else f"holds nothing, not {value!r}"

    def describe(self):
        return "—"


class _Value(Shape):
    def problem(self, value):
        return None

    def describe(self):
        return "a value"


NOTHING = _Nothing()  # always null
VALUE = _Value()  # one value: text, number, true/false, a list, {"id", "name"} of a related row, or null


@dataclass(frozen=True)
class Record(Shape):
    """An object with these keys (`optional` ones may be missing); null too when `nullable`."""

    keys: tuple[str, ...]
    optional: tuple[str, ...] = ()
    nullable: bool = False

    def __post_init__(self):
        object.__setattr__(self, "required", frozenset(self.keys))
        object.__setattr__(self, "allowed", frozenset(self.keys) | frozenset(self.optional))

    def problem(self, value):
        if value is None:
            return None if self.nullable else "is an object, not null"
        if not isinstance(value, dict):
            return f"is an object, not {value!r}"
        if value.keys() == self.required or (self.optional and self.required <= value.keys() <= self.allowed):
            return None  # checked on every write: the common answer first
        missing = sorted(set(self.keys) - set(value))
        extra = sorted(set(value) - set(self.keys) - set(self.optional))
        if missing or extra:
            return f"misses {missing}" if missing else f"has undeclared keys {extra}"
        return None

    def describe(self):
        keys = ", ".join([*self.keys, *(f"{key}?" for key in self.optional)])
        return f"{{{keys}}}" + (" or null" if self.nullable else "")

    def read(self, value, action):
        return None if value is None else Fields(value, self, action)


def record(*keys: str, optional: Sequence[str] = (), nullable: bool = False) -> Record:
    return Record(tuple(keys), tuple(optional), nullable)


class Fields:
    """A record as a sentence reads it: only the keys its kind declares."""

    def __init__(self, values: dict, shape: Record, action: str):
        self._values, self._shape, self._action = values, shape, action

    def _check(self, key: str) -> None:
        if key not in self._shape.keys and key not in self._shape.optional:
            raise UndeclaredEvent(f'"{self._action}" declares no key {key!r}: {self._shape.describe()}')

    def __getitem__(self, key: str) -> Any:
        self._check(key)
        return self._values[key]

    def get(self, key: str, default: Any = None) -> Any:
        self._check(key)
        return self._values.get(key, default)


# --- the parts of a sentence ----------------------------------------------------------------------


@dataclass(frozen=True)
class Quoted:
    """Text the sentence quotes: a subject, a title, a message."""

    text: str


@dataclass(frozen=True)
class Emphasis:
    """A value set or changed: the workspace shows it in italics."""

    text: str


@dataclass(frozen=True)
class TicketMention:
    ticket_id: int


@dataclass(frozen=True)
class TaskMention:
    """A follow-up task of a ticket, by its key; `title` when it was written or loaded."""

    ticket_id: int
    key: str
    title: str
    at: datetime


@dataclass(frozen=True)
class Moment:
    value: datetime | str | None


@dataclass(frozen=True)
class Style:
    """How a sentence renders: as text or HTML, times in a zone, and how it names tickets and tasks."""

    html: bool = False
    zone: tzinfo | None = UTC  # None: the zone activated for the request (the agent's, on workspace pages)
    ticket_url: Callable[[int], str] | None = None  # HTML: a mentioned ticket links there
    name_ticket: Callable[[int], str] = lambda ticket_id: f"#{ticket_id}"
    name_task: Callable[[TaskMention], str] | None = None  # default: the task's title, quoted

    def part(self, part: Any) -> str:
        if isinstance(part, Sentence):  # a clause, e.g. one that is there only for some events
            return part.render(self)
        if isinstance(part, (list, tuple)):
            return self._escape(", ").join(self.part(item) for item in part) if part else self._escape("none")
        if isinstance(part, Quoted):
            return self._escape(f"“{part.text}”")
        if isinstance(part, Emphasis):
            return format_html("<em>{}</em>", part.text) if self.html else part.text
        if isinstance(part, TicketMention):
            name = self.name_ticket(part.ticket_id)
            if self.html and self.ticket_url is not None:
                return format_html('<a href="{}">{}</a>', self.ticket_url(part.ticket_id), name)
            return self._escape(name)
        if isinstance(part, TaskMention):
            if self.name_task is not None:
                return self._escape(self.name_task(part))
            return self._escape(f"“{part.title}”" if part.title else "a follow-up task")
        if isinstance(part, Moment):
            return self._escape(self.moment(part.value))
        return self._escape(str(part))

    def moment(self, value: datetime | str | None) -> str:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value is None:
            return "none"
        local = value.astimezone(self.zone or get_current_timezone())
        return f"{local:%a %d %b %H:%M} {local.tzname()}"

    def _escape(self, text: str) -> str:
        return conditional_escape(text) if self.html else text


TEXT = Style()
HTML = Style(html=True)


@dataclass(frozen=True)
class Sentence:
    """How one event reads, after its actor: a template and the values it names."""

    template: str
    values: dict[str, Any]

    def render(self, style: Style = TEXT) -> str | SafeString:
        text = self.template.format_map({name: style.part(value) for name, value in self.values.items()})
        return mark_safe(text) if style.html else text  # in HTML each part is escaped: the template is ours

    def __str__(self) -> str:
        return self.render(TEXT)


# --- readable values ------------------------------------------------------------------------------


def value_text(value: Any) -> str:
    """A readable picture of an audit value: {"id", "name"} -> name, lists joined, nothing -> "none"."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if "name" in value:
            return str(value["name"])
        return ", ".join(f"{key}: {value_text(item)}" for key, item in value.items() if item not in (None, "", []))
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(item) for item in value)
    return str(value).replace("_", " ")


def shortened(text: str, length: int = 120) -> str:
    """Text on one line, cut at `length` characters."""
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


# --- kinds and the registry -----------------------------------------------------------------------


@dataclass
class Reading:
    """One event as its kind's `values` function reads it."""

    event: Any
    kind: EventKind
    loaded: Any = None  # what the kind's `load` returned for the events being described

    @property
    def before(self) -> Any:
        return self.kind.before.read(self.event.before, self.kind.action)

    @property
    def after(self) -> Any:
        return self.kind.after.read(self.event.after, self.kind.action)

    @property
    def field(self) -> str:
        return self.event.field

    @property
    def field_label(self) -> str:
        return self.kind.field_labels.get(self.event.field, self.event.field.replace("_", " "))

    def value(self, value: Any) -> str:
        """A before or after value as it reads, through the kind's value labels for its field."""
        label = self.kind.value_label
        return label(self.event.field, value) if label is not None else value_text(value)

    def defaults(self) -> dict[str, Any]:
        """The values a sentence has without a `values` function: `field` (its label), `before` and `after`
        (scalar payloads, as changed values) and the keys of a record payload (quoted)."""
        values: dict[str, Any] = {"field": self.field_label}
        for side in ("before", "after"):
            shape, value = getattr(self.kind, side), getattr(self, side)
            if isinstance(shape, Record):
                if value is not None:
                    values.update((key, Quoted(value_text(value.get(key)))) for key in shape.keys)
            elif shape is not NOTHING:
                values[side] = Emphasis(self.value(value))
        return values


@dataclass(frozen=True)
class EventKind:
    """One kind of audit event, declared once.

    `reads` is the sentence after the actor's name. Its names are filled by `values(reading)` when given,
    else by `Reading.defaults`.
    """

    action: str
    reads: str
    field: str | tuple[str, ...] = ""  # what the `field` column holds: one name, or the names it may take
    before: Shape = NOTHING
    after: Shape = NOTHING
    values: Callable[[Reading], dict[str, Any]] | None = None
    load: Callable[[list], Any] | None = None  # reads in one query what the sentences of many events mention
    field_labels: dict[str, str] = dataclasses.field(default_factory=dict)
    value_label: Callable[[str, Any], str] | None = None  # (field, value) -> text, for `{before}`/`{after}`
    # The keys of its values that hold people's own words (WHOLE: the value is such a text), which a redaction
    # of the ticket rewrites (caredesk.tickets.redaction): a subject, a reason the customer gave, a comment.
    quotes: tuple[str, ...] = ()

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return self.field if isinstance(self.field, tuple) else (self.field,)

    def problem(self, field_name: str, before: Any, after: Any) -> str | None:
        if field_name not in self.fields:
            return f"field is {' or '.join(repr(name) for name in self.fields)}, not {field_name!r}"
        for side, shape, value in (("before", self.before, before), ("after", self.after, after)):
            problem = shape.problem(value)
            if problem:
                return f"{side} {problem}"
        return None

    def sentence(self, event: Any, loaded: Any = None) -> Sentence:
        reading = Reading(event, self, loaded)
        return Sentence(self.reads, self.values(reading) if self.values is not None else reading.defaults())


_kinds: dict[tuple[str, str], EventKind] = {}
WHOLE = "*"  # in EventKind.quotes: the value before and after is itself the text


def _log(model) -> str:
    return model._meta.label


def register(model, *kinds: EventKind) -> None:
    """Declare kinds of `model`'s log (TicketEvent, CustomerEvent...). A kind is declared once."""
    for kind in kinds:
        key = (_log(model), kind.action)
        known = _kinds.get(key)
        if known is not None and (known.reads, known.field, known.before, known.after) != (
                kind.reads, kind.field, kind.before, kind.after):
            raise UndeclaredEvent(f'"{kind.action}" of {key[0]} is declared twice')
        _kinds[key] = kind


def kind_of(model, action: str) -> EventKind:
    try:
        return _kinds[(_log(model), action)]
    except KeyError:
        raise UndeclaredEvent(
            f'{_log(model)} "{action}" is not a declared audit event kind: declare it in its app\'s events.py'
        ) from None


def kinds() -> dict[tuple[str, str], EventKind]:
    """Every declared kind by (log, action), the log being the event model's label."""
    return dict(sorted(_kinds.items()))


def check(model, action: str, field_name: str, before: Any, after: Any) -> None:
    """Raise UndeclaredEvent unless `action` is declared for `model` with this payload."""
    problem = kind_of(model, action).problem(field_name, before, after)
    if problem:
        raise UndeclaredEvent(f'{_log(model)} "{action}": {problem}')


def describe_all(events: Iterable) -> list[Sentence]:
    """A sentence for each event; what they mention is loaded once per loader, not per event."""
    events = list(events)
    kinds_of = [kind_of(type(event), event.action) for event in events]
    by_loader: dict[Callable, list] = {}
    for event, kind in zip(events, kinds_of):
        if kind.load is not None:
            by_loader.setdefault(kind.load, []).append(event)
    loaded = {loader: loader(group) for loader, group in by_loader.items()}
    return [kind.sentence(event, loaded.get(kind.load)) for event, kind in zip(events, kinds_of)]


def describe(event) -> Sentence:
    return describe_all([event])[0]


def read(event) -> Reading:
    """The event's payload as its kind declares it (an undeclared key raises)."""
    return Reading(event, kind_of(type(event), event.action))


def table() -> str:
    """The registry as a Markdown table (docs/audit.md holds it; a test keeps the two the same)."""
    lines = ["| log | kind | field | before | after | reads |", "|---|---|---|---|---|---|"]
    for (log, action), kind in kinds().items():
        field_names = ", ".join(f"`{name}`" for name in kind.fields if name) or "—"
        lines.append(f"| {log.split('.')[-1]} | `{action}` | {field_names} | {kind.before.describe()} | "
                     f"{kind.after.describe()} | {kind.reads} |")
    return "\n".join(lines) + "\n"
