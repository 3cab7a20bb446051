"""The append-only event log base, and who did a change (`Actor`).

Concrete logs (TicketEvent, CustomerEvent) subclass `AuditEvent`. A row can be inserted, never updated or
deleted: the model and its queryset refuse it, and a database trigger (see `append_only_trigger_sql`)
refuses it for raw SQL too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from caredesk.core import clock, events
from caredesk.core.db import statements


class AppendOnlyViolation(Exception):
    """Raised on any attempt to change or remove an audit event."""


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an agent, the customer, a playbook or the system itself."""

    kind: str  # "agent", "customer", "playbook", "system"
    label: str
    agent: Any = None  # the Agent, for kind "agent"

    @classmethod
    def of_agent(cls, agent) -> Actor:
        return cls(kind="agent", label=agent.get_username(), agent=agent)

    @classmethod
    def customer(cls, name: str) -> Actor:
        return cls(kind="customer", label=name)

    @classmethod
    def playbook(cls, name: str, version: int) -> Actor:
        return cls(kind="playbook", label=f"{name}@v{version}")

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(kind="system", label=what)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyViolation("audit events cannot be updated")

    def delete(self):
        raise AppendOnlyViolation("audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyViolation("audit events cannot be updated")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyViolation("audit events cannot be updated")


class AuditEvent(models.Model):
    ACTOR_KINDS = [("agent", "agent"), ("customer", "customer"), ("playbook", "playbook"), ("system", "system")]

    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField(max_length=16, choices=ACTOR_KINDS)
    actor_label = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    field = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyViolation("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyViolation("audit events cannot be deleted")

    @classmethod
    def build(cls, actor: Actor, action: str, *, field: str = "", before=None, after=None, **links):
        """A new event; UndeclaredEvent unless its kind and payload are declared (see caredesk.core.events)."""
        events.check(cls, action, field, before, after)
        return cls(
            at=clock.now(),
            actor_kind=actor.kind,
            actor_label=actor.label,
            actor=actor.agent,
            action=action,
            field=field,
            before=before,
            after=after,
            **links,
        )


def write(event: AuditEvent) -> AuditEvent:
    """Insert an audit row: at once, or inside `written_together` with the others when the block ends."""
    pending = _pending.get()
    if pending is None or not transaction.get_connection().in_atomic_block:
        statements.insert(event)
        _written([event])
    else:
        pending.add(event)
    return event


def write_all(events: list[AuditEvent]) -> None:
    """Insert audit rows (of one log) with one statement run for each, or inside `written_together` with the
    others when the block ends."""
    pending = _pending.get()
    if pending is None or not transaction.get_connection().in_atomic_block:
        statements.insert_rows(events)
        _written(events)
    else:
        for event in events:
            pending.add(event)


_listeners: list[Callable[[list[AuditEvent]], None]] = []


def on_written(listener: Callable[[list[AuditEvent]], None]) -> None:
    """Call `listener` with every batch of audit rows just inserted, inside their transaction (the search
    index follows the changes they describe this way)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _written(events: list[AuditEvent]) -> None:
    if events:
        for listener in _listeners:
            listener(events)


@dataclass
class _Pending:
    events: list[tuple[AuditEvent, object]] = field(default_factory=list)  # (event, its savepoint's token)
    savepoints: tuple = ()
    token: object = None

    def add(self, event: AuditEvent) -> None:
        connection = transaction.get_connection()
        savepoints = tuple(connection.savepoint_ids)
        if self.token is None or savepoints != self.savepoints:
            # A callback registered now is dropped by Django if one of the open savepoints is rolled back:
            # it tells `flush` whether the event's part of the transaction still stands.
            self.savepoints, self.token = savepoints, _Token()
            transaction.on_commit(self.token)
        self.events.append((event, self.token))

    def flush(self) -> None:
        standing = {id(callback) for _, callback, _ in transaction.get_connection().run_on_commit}
        by_model: dict[type, list[AuditEvent]] = {}
        for event, token in self.events:
            if id(token) in standing:
                by_model.setdefault(type(event), []).append(event)
        self.events, self.token = [], None
        for events in by_model.values():
            statements.insert_rows(events)
            _written(events)


class _Token:
    def __call__(self) -> None:  # run on commit: nothing to do
        pass


_pending: ContextVar[_Pending | None] = ContextVar("caredesk_audit_pending", default=None)


@contextmanager
def written_together() -> Iterator[None]:
    """Audit rows recorded (through `write`) inside the block are inserted when it ends, one INSERT per log,
    instead of one each: for work that records many, such as a batch of inbound messages. Use it inside
    `transaction.atomic`, so the rows commit with the changes they describe; a row recorded inside a savepoint
    that was rolled back is dropped, as its own INSERT would have been. Nested blocks write with the outermost.
    """
    if _pending.get() is not None:
        yield
        return
    pending = _Pending()
    reset = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(reset)
    pending.flush()


def append_only_trigger_sql(table: str) -> tuple[str, str, str, str]:
    """(sqlite forward, sqlite reverse, postgresql forward, postgresql reverse) SQL refusing UPDATE on `table`.

    DELETE is refused by the model and by PROTECT foreign keys; a delete trigger would also block the test
    runner's flush between tests.
    """
    trigger = f"{table}_append_only"
    sqlite_forward = (
        f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
    )
    sqlite_reverse = f"DROP TRIGGER IF EXISTS {trigger};"
    postgres_forward = (
        "CREATE OR REPLACE FUNCTION caredesk_refuse_update() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql; "
        f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION caredesk_refuse_update();"
    )
    postgres_reverse = f"DROP TRIGGER IF EXISTS {trigger} ON {table};"
    return sqlite_forward, sqlite_reverse, postgres_forward, postgres_reverse


REDACTED = "[redacted]"


def redactable_trigger_sql(table: str, kept: list[str]) -> tuple[list[str], list[str], str, str]:
    """Like `append_only_trigger_sql`, but for a log whose payloads a redaction may rewrite (a ticket's: its
    values quote subjects and descriptions): an UPDATE passes only when it keeps every column but `before`
    and `after` (SQLite: the columns `kept`; PostgreSQL: every other column) and leaves "[redacted]" in them.
    Reversed, it is the plain append-only trigger again."""
    trigger = f"{table}_append_only"
    refused = f"'audit events are append-only: only a redaction may replace a text of theirs by {REDACTED}'"
    mark = f"'{REDACTED}'"  # found by instr/strpos: a % would be taken for a query parameter
    same = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in kept)
    sqlite_forward = [
        f"DROP TRIGGER IF EXISTS {trigger}",
        f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} "
        f"WHEN NOT ({same} AND instr(COALESCE(NEW.before, '') || COALESCE(NEW.after, ''), {mark}) > 0) "
        f"BEGIN SELECT RAISE(ABORT, {refused}); END;",
    ]
    postgres_forward = (
        "CREATE OR REPLACE FUNCTION caredesk_refuse_update_but_redaction() RETURNS trigger AS $$ BEGIN "
        "IF to_jsonb(NEW) - 'before' - 'after' = to_jsonb(OLD) - 'before' - 'after' AND "
        f"strpos(COALESCE(NEW.before::text, '') || COALESCE(NEW.after::text, ''), {mark}) > 0 THEN RETURN NEW; "
        "END IF; "
        f"RAISE EXCEPTION {refused}; END; $$ LANGUAGE plpgsql; "
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}; CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION caredesk_refuse_update_but_redaction();"
    )
    append_only = append_only_trigger_sql(table)
    return sqlite_forward, [append_only[1], append_only[0]], postgres_forward, f"{append_only[3]} {append_only[2]}"


def rewritable(model: type[AuditEvent]) -> models.QuerySet:
    """The rows of a log, without the append-only refusal: for a redaction only (caredesk.tickets.redaction),
    which the database's trigger also holds to replacing texts by "[redacted]"."""
    return models.QuerySet(model)
