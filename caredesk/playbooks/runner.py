"""The imperative shell of the playbook engine: start runs, hand them events, sweep due steps.

Every path is the same three moves inside one transaction: gather the ticket's facts, ask the pure
engine (`engine.py`) for a decision, apply it. Ticket changes are made with the playbook as actor: in a
sweep through the bulk ticket action (`tickets/bulk.py`: one locked read of the batch's tickets, then the
notes, ticket rows and audit events written together); for an event handed to a run, or a decision that
also raises a flag or queues a message, through the per-ticket ticket actions. New tasks, their audit
events and the run rows are written in bulk at the end, so a sweep of many due runs costs a few
statements per run. A run's state and its effects commit together, which is what makes a step run
exactly once: a crash rolls both back, and on PostgreSQL concurrent workers claim disjoint rows with
SKIP LOCKED.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.changes import audit_value
from caredesk.core.db import statements
from caredesk.core.errors import DomainError
from caredesk.core.models import Agent
from caredesk.customers import actions as customer_actions
from caredesk.playbooks import engine, registry, signals
from caredesk.playbooks.actions import raise_flag
from caredesk.playbooks.facts import condition_facts, gather_facts, tickets_with_facts
from caredesk.playbooks.models import FollowUpTask, PlaybookRun
from caredesk.playbooks.spec import (
    CONDITION_FIELDS, AddInternalNote, SetAssignee, SetFlag, SetGroup, SetOrderStatus, SetStatus,
)
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets import bulk as ticket_bulk
from caredesk.tickets.models import Group, Ticket, TicketEvent

logger = logging.getLogger("caredesk.playbooks")

RUNNING = PlaybookRun.Status.RUNNING
# Ticket changes a sweep stages in its batch's bulk ticket write (`tickets/bulk.py`).
TICKET_CHANGES = (AddInternalNote, SetStatus, SetGroup, SetAssignee, SetOrderStatus)
# Actions only ever written at once; a ticket with a decision holding one takes the per-ticket path.
AT_ONCE_ONLY = (SetFlag, engine.QueueMessage)
# Actions written at once on the per-ticket path, so a decision holding one applies in a savepoint.
IMMEDIATE_WRITES = TICKET_CHANGES + AT_ONCE_ONLY
RETRY_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
BUSY_TICKET_RETRY = timedelta(seconds=5)  # a ticket locked by an agent's change is tried again this soon


@dataclass
class _RunWrites:
    """What one run's decision writes in bulk; merged into the batch only if the whole decision applied."""

    new_tasks: list[FollowUpTask] = field(default_factory=list)
    new_events: list[TicketEvent] = field(default_factory=list)
    task_closings: list[tuple[tuple, int]] = field(default_factory=list)  # ((status, reason, by, reached), id)


class _AtOnce:
    """A decision's ticket changes through the per-ticket ticket actions, each written as it comes."""

    def __init__(self, ticket: Ticket, actor: Actor):
        self.ticket, self.actor = ticket, actor

    def note(self, body: str) -> None:
        ticket_actions.add_interaction(self.ticket, actor=self.actor, channel="internal", direction="internal",
                                       kind="note", body=body)

    def fields(self, changes: dict) -> None:
        ticket_actions.update_ticket(self.ticket, actor=self.actor, **changes)

    def order_status(self, status: str) -> None:
        order, changed = customer_actions.update_order(self.ticket.order, actor=self.actor, status=status)
        for _, before, after in changed:
            ticket_actions.record_event(self.actor, self.ticket, "order.status.changed", field="order_status",
                                        before=before, after=after)

    def done(self) -> None:
        pass


class _InBatch(_AtOnce):
    """A decision's ticket changes collected, then staged in the batch's bulk write all or nothing at `done`."""

    def __init__(self, batch: ticket_bulk.TicketChanges, ticket: Ticket, actor: Actor):
        super().__init__(ticket, actor)
        self.batch, self.changes = batch, []

    def note(self, body: str) -> None:
        self.changes.append(ticket_bulk.Note(body))

    def fields(self, changes: dict) -> None:
        self.changes.append(ticket_bulk.FieldChanges(changes))

    def order_status(self, status: str) -> None:
        self.changes.append(ticket_bulk.OrderStatus(status))

    def done(self) -> None:
        if self.changes:
            self.batch.stage(self.ticket.pk, self.actor, self.changes)


class _Applier:
    def __init__(self, now, runs: list[PlaybookRun], tickets: ticket_bulk.TicketChanges | None = None,
                 busy: set[int] = frozenset()):
        self.now = now
        self.tickets = tickets  # the batch's bulk ticket write, for the tickets it holds
        self.busy = busy  # tickets another transaction holds: their runs are deferred
        self.new_tasks: list[FollowUpTask] = []
        self.new_events: list[TicketEvent] = []
        self.runs: list[PlaybookRun] = []
        # Open tasks of these runs by (run, key): closing a task is then an update by id, grouped at flush.
        self.open_task_ids = {
            (run_id, key): task_id for task_id, run_id, key in FollowUpTask.objects.filter(
                run_id__in=[run.pk for run in runs], status=FollowUpTask.Status.OPEN,
            ).values_list("id", "run_id", "task_key")
        }
        self.task_closings: dict[tuple, list[int]] = defaultdict(list)
        self.groups: dict[str, Group | None] = {}
        self.owners: dict[str, Agent | None] = {}
        self.run_ids = [run.pk for run in runs]
        self.completers: dict[int, list[int]] | None = None  # who completed each run's tasks, last first
        self.active_completers: dict[int, Agent] = {}

    # applying one decision

    def apply(self, run: PlaybookRun, ticket: Ticket, decision: engine.Decision, *, agent=None,
              event: engine.Event | None = None) -> None:
        """Apply a decision: ticket changes staged in the batch's bulk write when it holds the ticket, else
        at once through the ticket actions (in a savepoint); the rest at `flush`. A decision that fails is
        postponed with none of its changes made."""
        if ticket.pk in self.busy:
            self._defer(run)
            return
        writes = _RunWrites()
        actor = Actor.playbook(run.definition.name, run.definition.version)
        in_batch = self.tickets is not None and ticket.pk in self.tickets
        writer = _InBatch(self.tickets, ticket, actor) if in_batch else _AtOnce(ticket, actor)
        needs_savepoint = not in_batch and any(isinstance(action, IMMEDIATE_WRITES) for action in decision.actions)
        try:
            if needs_savepoint:
                with transaction.atomic():
                    self._apply_actions(run, ticket, decision.actions, actor, agent, event, writes, writer)
            else:
                self._apply_actions(run, ticket, decision.actions, actor, agent, event, writes, writer)
        except Exception as error:
            if not isinstance(error, DomainError):
                logger.exception("playbook %s on ticket #%s failed", actor.label, ticket.pk)
            self._postpone(run, error)
            return
        self.new_tasks += writes.new_tasks
        self.new_events += writes.new_events
        for closing, task_id in writes.task_closings:
            self.task_closings[closing].append(task_id)
        state = decision.state
        run.state = engine.state_to_dict(state)
        run.next_due_at = state.next_due_at
        run.status = PlaybookRun.Status.ENDED if state.status == engine.ENDED else RUNNING
        run.outcome = state.outcome or ""
        run.ended_at = state.ended_at
        run.updated_at = self.now
        run.failures, run.last_error = 0, ""
        self.runs.append(run)

    def _defer(self, run: PlaybookRun) -> None:
        """A step whose ticket another transaction is changing runs again at the next sweep, unchanged."""
        run.next_due_at = self.now + BUSY_TICKET_RETRY
        run.updated_at = self.now
        self.runs.append(run)

    def _postpone(self, run: PlaybookRun, error: Exception) -> None:
        """A step that failed is retried later with backoff; the run's state is left as it was."""
        run.failures += 1
        run.last_error = f"{type(error).__name__}: {error}"[:2000]
        run.next_due_at = self.now + RETRY_BACKOFF[min(run.failures, len(RETRY_BACKOFF)) - 1]
        run.updated_at = self.now
        self.runs.append(run)

    def _apply_actions(self, run, ticket, actions, actor, agent, event, writes: _RunWrites, writer: _AtOnce) -> None:
        field_changes: dict = {}  # consecutive group/assignee/status changes, applied as one ticket update
        for action in actions:
            if isinstance(action, (SetGroup, SetAssignee, SetStatus)):
                self._collect_field_change(run, ticket, action, actor, field_changes, writer)
                continue
            if field_changes:
                writer.fields(field_changes)
                field_changes = {}
            if isinstance(action, engine.CreateTask):
                self._create_task(run, ticket, action, actor, writes)
            elif isinstance(action, engine.CompleteTask):  # a logged call did the call task
                self._close_tasks(run, ticket, (action.task_key,), FollowUpTask.Status.DONE, action.reason,
                                  actor, writes, completed_by=agent, reached=event.reached if event else None)
            elif isinstance(action, engine.CancelTask):
                self._close_tasks(run, ticket, (action.task_key,), FollowUpTask.Status.MISSED, action.reason,
                                  actor, writes)
            elif isinstance(action, engine.CancelOpenTasks):
                self._close_tasks(run, ticket, action.task_keys, FollowUpTask.Status.CANCELLED, action.reason,
                                  actor, writes)
            elif isinstance(action, engine.EndRun):
                writes.new_events.append(self._event(actor, ticket, "playbook.ended", "playbook",
                                                     {"playbook": run.definition.name, "outcome": action.outcome}))
            elif isinstance(action, SetFlag):
                raise_flag(ticket, action.flag, actor=actor)
            elif isinstance(action, AddInternalNote):
                writer.note(action.text)
            elif isinstance(action, SetOrderStatus):
                writer.order_status(action.order_status)
            elif isinstance(action, engine.QueueMessage):
                self._queue_message(run, ticket, action, actor, writer)
        if field_changes:
            writer.fields(field_changes)
        writer.done()

    def _event(self, actor: Actor, ticket: Ticket, action: str, field_name: str, after) -> TicketEvent:
        event = TicketEvent.build(actor, action, ticket=ticket, field=field_name, after=after)
        event.at = self.now
        return event

    def _create_task(self, run, ticket, action: engine.CreateTask, actor, writes: _RunWrites) -> None:
        channels = [{"channel": planned.channel, "to": list(planned.to)} for planned in action.channels]
        writes.new_tasks.append(FollowUpTask(
            run=run, ticket=ticket, task_key=action.task_key, step_key=action.step_key, day=action.day,
            kind=action.kind, title=action.title[:250], channels=channels, due_at=action.due_at,
            overdue_at=action.overdue_at, assignee=ticket.assignee, created_at=self.now,
        ))
        writes.new_events.append(self._event(actor, ticket, "task.created", "task", {
            "task": action.task_key, "title": action.title, "kind": action.kind,
            "channels": [entry["channel"] for entry in channels], "due_at": audit_value(action.due_at),
            "overdue_at": audit_value(action.overdue_at),
        }))

    def _close_tasks(self, run, ticket, keys, status, reason, actor, writes: _RunWrites, completed_by=None,
                     reached: bool | None = None) -> None:
        keys = set(keys)
        done = status == FollowUpTask.Status.DONE
        for task in writes.new_tasks:  # created earlier in this same decision, not written yet
            if task.task_key in keys and task.status == FollowUpTask.Status.OPEN:
                task.status, task.closed_reason = status, reason[:250]
                if done:
                    task.completed_at, task.completed_by, task.reached = self.now, completed_by, reached
                    task.channels_tried = ["call"]
        closing = (status, reason[:250], completed_by.pk if completed_by and done else None, reached)
        for key in keys:
            task_id = self.open_task_ids.pop((run.pk, key), None)
            if task_id is not None:
                writes.task_closings.append((closing, task_id))
        writes.new_events.append(self._event(actor, ticket, f"task.{status}", "task",
                                             {"tasks": sorted(keys), "reason": reason}))

    def _collect_field_change(self, run, ticket, action, actor, changes: dict, writer: _AtOnce) -> None:
        if isinstance(action, SetStatus):
            changes["status"] = action.status
        elif isinstance(action, SetGroup):
            if action.group not in self.groups:
                self.groups[action.group] = Group.objects.filter(Q(name=action.group) | Q(key=action.group)).first()
            group = self.groups[action.group]
            if group is None:
                self._data_problem(writer, actor, f'there is no group "{action.group}"')
            else:
                changes["group"] = group
        else:
            if action.working_agent:
                assignee = self._working_agent(ticket, run)
            else:
                if action.owner not in self.owners:
                    self.owners[action.owner] = owner_named(action.owner)
                assignee = self.owners[action.owner]
            if assignee is None:
                who = "the working agent" if action.working_agent else f'"{action.owner}"'
                self._data_problem(writer, actor, f"no active agent is {who}")
            else:
                changes["assignee"] = assignee

    def _working_agent(self, ticket: Ticket, run: PlaybookRun) -> Agent | None:
        """The agent working the ticket: its assignee, else whoever last completed one of the run's tasks."""
        if ticket.assignee_id and ticket.assignee.is_active:
            return ticket.assignee
        if self.completers is None:  # for every run of the batch at once, on the tasks' run index
            self.completers = defaultdict(list)
            tasks = FollowUpTask.objects.filter(run_id__in=self.run_ids, completed_by__isnull=False)
            for run_id, agent_id in tasks.order_by("-completed_at").values_list("run_id", "completed_by_id"):
                self.completers[run_id].append(agent_id)
            agent_ids = {agent_id for agent_ids in self.completers.values() for agent_id in agent_ids}
            if agent_ids:  # read apart: joined, SQLite starts from the agents and reads all their tasks
                self.active_completers = Agent.objects.filter(pk__in=agent_ids, is_active=True).in_bulk()
        return next((self.active_completers[agent_id] for agent_id in self.completers[run.pk]
                     if agent_id in self.active_completers), None)

    def _queue_message(self, run, ticket, action: engine.QueueMessage, actor, writer: _AtOnce) -> None:
        answered = signals.message_requested.send(
            sender=PlaybookRun, run=run, ticket=ticket, message_key=action.message_key, channel=action.channel,
            template=action.template, to=action.to,
        )
        if not answered:
            self._data_problem(writer, actor, f"no channel is installed to send the {action.channel} "
                                              f'"{action.template}" automatically; send it by hand')

    def _data_problem(self, writer: _AtOnce, actor, problem: str) -> None:
        """Playbook data that does not match this installation: tell the agents on the ticket, go on."""
        writer.note(f"Playbook {actor.label} could not act: {problem}.")

    # writing the batch

    def flush(self) -> None:
        if self.tickets is not None:  # first, so a ticket's events keep the order the per-ticket path gives them
            self.tickets.write()
        for (status, reason, completed_by_id, reached), task_ids in self.task_closings.items():
            changes = {"status": status, "closed_reason": reason}
            if status == FollowUpTask.Status.DONE:  # only a logged call completes a task this way
                changes.update(completed_at=self.now, completed_by_id=completed_by_id, reached=reached,
                               channels_tried=["call"])
            FollowUpTask.objects.filter(pk__in=task_ids, status=FollowUpTask.Status.OPEN).update(**changes)
        statements.insert_rows(self.new_tasks)
        statements.insert_rows(self.new_events)
        write_runs(self.runs)
        self.new_tasks, self.new_events, self.runs, self.task_closings = [], [], [], defaultdict(list)


RUN_COLUMNS = ("state", "next_due_at", "status", "outcome", "ended_at", "updated_at", "failures", "last_error")


def write_runs(runs: list[PlaybookRun]) -> None:
    """Save the runs' changing columns with one prepared statement run for every run."""
    statements.update_rows(runs, RUN_COLUMNS)


def owner_named(name: str | None) -> Agent | None:
    """An owner named in playbook data ("Roxy V"): an active agent by full name, or by username."""
    if not name:
        return None
    agents = Agent.objects.filter(is_active=True).annotate(full=Concat(F("first_name"), Value(" "), F("last_name")))
    return agents.filter(full=name).first() or agents.filter(username=name).first()


# --- entry points ---------------------------------------------------------------------------------


def _ticket(ticket_id: int) -> tuple[Ticket, engine.TicketFacts]:
    ticket = tickets_with_facts().get(pk=ticket_id)
    return ticket, gather_facts([ticket])[ticket.pk]


def start_triggered(ticket: Ticket, trigger_event: str) -> list[PlaybookRun]:
    """Start every playbook in force that `trigger_event` starts for this ticket and that is not running.

    Whether any could start is decided first on the ticket in hand (`ticket`, as the change left it),
    reading only the fields the candidates' conditions name: an email on a ticket no trigger matches costs
    no query. Only then is the ticket read again and, when a playbook starts, its full facts gathered.
    """
    candidates = tuple(playbook for playbook in registry.in_force() if playbook.trigger.event == trigger_event)
    if not candidates:
        return []
    named = {name for playbook in candidates for conditions in playbook.trigger.when
             for name in CONDITION_FIELDS if getattr(conditions, name) is not None}
    if not engine.playbooks_triggered_by(candidates, trigger_event, condition_facts(ticket, named)):
        return []
    loaded = tickets_with_facts().get(pk=ticket.pk)
    triggered = engine.playbooks_triggered_by(candidates, trigger_event, condition_facts(loaded))
    running = set(PlaybookRun.objects.filter(ticket=loaded, status=RUNNING).values_list("definition__name", flat=True))
    to_start = [playbook for playbook in triggered if playbook.name not in running]
    if not to_start:
        return []
    facts = gather_facts([loaded])[loaded.pk]
    now = clock.now()
    started = []
    for playbook in to_start:
        decision = engine.start(playbook, facts, now)
        run = PlaybookRun.objects.create(ticket=loaded, definition=registry.definition_for(playbook), state={},
                                         started_at=now, updated_at=now, next_due_at=now)
        actor = Actor.playbook(playbook.name, playbook.version)
        ticket_actions.record_event(actor, loaded, "playbook.started", field="playbook", after={
            "playbook": playbook.name, "version": playbook.version, "title": playbook.title,
            "trigger": trigger_event,
        })
        applier = _Applier(now, [run])
        applier.apply(run, loaded, decision)
        applier.flush()
        started.append(run)
    return started


def dispatch(ticket: Ticket, kind: str, *, agent=None, **event_fields) -> None:
    """Hand an event of the ticket to each of its running playbooks (a logged call to ended ones too: a
    Care ticket's call without call notes is flagged whenever it is logged)."""
    if kind != "call_logged" and not has_running_run(ticket.pk):
        return  # the common case: every customer email asks, few tickets have a run
    runs = PlaybookRun.objects.select_for_update().select_related("definition").filter(ticket_id=ticket.pk)
    runs = list(runs if kind == "call_logged" else runs.filter(status=RUNNING))
    if runs:
        _decide_and_apply(runs, kind, agent, event_fields)


def has_running_run(ticket_id: int) -> bool:
    """Whether a playbook runs on the ticket: one lookup in the (ticket, status) index, written as SQL because
    building the ORM's query cost more than answering it."""
    table = connection.ops.quote_name(PlaybookRun._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE ticket_id = %s AND status = %s LIMIT 1", [ticket_id, RUNNING])
        return cursor.fetchone() is not None


def dispatch_to_run(run: PlaybookRun, kind: str, *, agent=None, **event_fields) -> None:
    run = PlaybookRun.objects.select_for_update().select_related("definition").get(pk=run.pk)
    if run.status == RUNNING or kind == "call_logged":
        _decide_and_apply([run], kind, agent, event_fields)


def _decide_and_apply(runs: list[PlaybookRun], kind: str, agent, event_fields: dict) -> None:
    loaded, facts = _ticket(runs[0].ticket_id)
    now = clock.now()
    event = engine.Event(kind, **event_fields)
    applier = _Applier(now, runs)
    for run in runs:
        playbook = registry.playbook_of(run.definition)
        decision = engine.decide(playbook, engine.state_from_dict(run.state), facts, event, now)
        applier.apply(run, loaded, decision, agent=agent, event=event)
    applier.flush()


def claim_due(now, batch_size: int) -> list[PlaybookRun]:
    """Due runs, oldest due first, locked for this transaction (skipped by other workers on PostgreSQL)."""
    due = (PlaybookRun.objects.filter(status=RUNNING, next_due_at__lte=now).order_by("next_due_at")
           .select_for_update(skip_locked=True, of=("self",)))
    return list(due[:batch_size])


def sweep(batch_size: int = 500) -> int:
    """Run every step due by now, up to `batch_size` runs, in one transaction; returns how many runs stepped."""
    now = clock.now()
    if not PlaybookRun.objects.filter(status=RUNNING, next_due_at__lte=now).exists():
        return 0  # the common case, answered by the index without taking SQLite's write lock
    with transaction.atomic():
        runs = claim_due(now, batch_size)
        if not runs:
            return 0
        definitions = {definition.pk: definition for definition in
                       registry.PlaybookDefinition.objects.filter(pk__in={run.definition_id for run in runs})}
        tickets = {ticket.pk: ticket for ticket in tickets_with_facts().filter(pk__in={run.ticket_id for run in runs})}
        facts = gather_facts(list(tickets.values()))
        tick = engine.Event("tick")
        decisions = []
        for run in runs:
            run.definition = definitions[run.definition_id]
            playbook = registry.playbook_of(run.definition)
            state = engine.state_from_dict(run.state)
            decisions.append(engine.decide(playbook, state, facts[run.ticket_id], tick, now))
        applier = _Applier(now, runs, *_ticket_writes(runs, decisions))
        for run, decision in zip(runs, decisions):
            applier.apply(run, tickets[run.ticket_id], decision)
        applier.flush()
    return len(runs)


def _ticket_writes(runs: list[PlaybookRun], decisions: list[engine.Decision]):
    """(the batch's bulk ticket write, the tickets another transaction holds). The bulk write holds (locked)
    the tickets whose decisions change them; a ticket with any decision that must be written at once (a
    flag, a queued message) stays on the per-ticket path for all of its runs, so the two paths never write
    one ticket, and is locked here too when its decisions change it. A held ticket's runs wait for a later
    sweep: waiting for its lock could deadlock with the agent's change holding it."""
    changing, at_once = set(), set()
    for run, decision in zip(runs, decisions):
        for action in decision.actions:
            if isinstance(action, AT_ONCE_ONLY):
                at_once.add(run.ticket_id)
            elif isinstance(action, TICKET_CHANGES):
                changing.add(run.ticket_id)
    changed_at_once, changing = changing & at_once, changing - at_once
    batch = ticket_bulk.TicketChanges(changing) if changing else None
    busy = set(batch.busy) if batch else set()
    if changed_at_once:
        busy |= changed_at_once - set(ticket_bulk.lock_free(changed_at_once).values_list("pk", flat=True))
    return batch, busy


def sweep_all(batch_size: int = 500, budget_seconds: float | None = None) -> int:
    """Sweep until nothing is due, or until `budget_seconds` have gone by (the worker then comes back at
    once, having checked whether it was asked to stop)."""
    total, started = 0, time.monotonic()
    while True:
        stepped = sweep(batch_size)
        total += stepped
        if stepped < batch_size:
            return total
        if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
            return total
