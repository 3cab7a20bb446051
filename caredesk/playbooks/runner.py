"""The imperative shell of the playbook engine: start runs, hand them events, sweep due steps.

Every path is the same three moves inside one transaction: gather the tickets' facts, ask the pure engine
(`engine.py`) for decisions, apply them (`_apply`). Applying goes through the two apps' doors, plural:
the ticket changes (notes, group, assignee, status, the order's status) are staged in one ticket unit of
work (`tickets.actions.ticket_changes`) over the tickets the decisions touch, read once and locked; the
tasks, flags, run states and their audit events in one `playbooks.actions.RunChanges`. Each decision is
staged all or nothing in both; one that is refused (a closed ticket, say) is postponed with none of its
changes. The ticket unit writes first and sends its signals once its writes are done (receivers ignore
changes a playbook makes); the run changes are written after it. A run's state and its effects commit
together, which is what makes a step run exactly once: a crash rolls both back, and on PostgreSQL
concurrent workers claim disjoint runs with SKIP LOCKED. A sweep skips, rather than waits for, a ticket
another transaction holds (an agent's change holds the ticket and then its runs, which the sweep holds:
waiting could deadlock); the runs of a held ticket are tried again at the next sweep.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from contextlib import nullcontext
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from caredesk.calendars.queries import calendar_set
from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import DomainError
from caredesk.core.models import Agent
from caredesk.playbooks import engine, registry, signals
from caredesk.playbooks.actions import RunChange, RunChanges, start_runs
from caredesk.playbooks.facts import condition_facts, gather_facts, tickets_with_facts
from caredesk.playbooks.models import FollowUpTask, PlaybookRun
from caredesk.playbooks.spec import (
    CONDITION_FIELDS, AddInternalNote, SetAssignee, SetFlag, SetGroup, SetOrderStatus, SetStatus,
)
from caredesk.tickets.actions import TicketChange, TicketChanges, ticket_changes
from caredesk.tickets.models import Group, Ticket

logger = logging.getLogger("caredesk.playbooks")

RUNNING = PlaybookRun.Status.RUNNING
# Actions that touch the ticket (a queued message may leave a note): their tickets are locked in the unit.
TOUCHING_THE_TICKET = (AddInternalNote, SetStatus, SetGroup, SetAssignee, SetOrderStatus, SetFlag, engine.QueueMessage)
TICKET_RELATIONS = ("group", "assignee")  # what a playbook's changes read as "before"
RETRY_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
BUSY_TICKET_RETRY = timedelta(seconds=5)  # a ticket locked by an agent's change is tried again this soon


def _apply(runs: list[PlaybookRun], decisions: list[engine.Decision], tickets: dict[int, Ticket], now, *,
           skip_locked: bool = False, agent=None, event: engine.Event | None = None) -> None:
    """Apply each run's decision to its ticket (`tickets`, as the facts were read) and write it all."""
    touched = [run.ticket_id for run, decision in zip(runs, decisions)
               if any(isinstance(action, TOUCHING_THE_TICKET) for action in decision.actions)]
    applier = _Applier(now, runs)
    unit = ticket_changes(touched, related=TICKET_RELATIONS, skip_locked=skip_locked) if touched else None
    with unit or nullcontext(TicketChanges()) as changes:  # (no ticket touched: no unit to write)
        for run, decision in zip(runs, decisions):
            applier.apply(run, tickets[run.ticket_id], decision, changes, agent=agent, event=event)
    applier.writes.write()


class _Applier:
    def __init__(self, now, runs: list[PlaybookRun]):
        self.now = now
        self.writes = RunChanges(now, runs)
        self.groups: dict[str, Group | None] = {}
        self.owners: dict[str, Agent | None] = {}
        self.run_ids = [run.pk for run in runs]
        self.completers: dict[int, list[int]] | None = None  # who completed each run's tasks, last first
        self.active_completers: dict[int, Agent] = {}

    def apply(self, run: PlaybookRun, ticket: Ticket, decision: engine.Decision, changes: TicketChanges, *,
              agent=None, event: engine.Event | None = None) -> None:
        """Stage a decision in both units; one that fails is postponed with none of its changes made."""
        if ticket.pk in changes.busy:
            self.writes.defer(run, self.now + BUSY_TICKET_RETRY)
            return
        actor = Actor.playbook(run.definition.name, run.definition.version)
        try:
            with (self.writes.deciding(run, ticket, actor) as writes,
                  changes.changing(ticket.pk, actor) if ticket.pk in changes else nullcontext() as change):
                self._apply_actions(run, ticket, decision.actions, actor, agent, event, writes, change)
        except Exception as error:
            if not isinstance(error, DomainError):
                logger.exception("playbook %s on ticket #%s failed", actor.label, ticket.pk)
            self.writes.postpone(run, error, self.now + RETRY_BACKOFF[min(run.failures + 1, len(RETRY_BACKOFF)) - 1])
            return
        self.writes.step(run, decision.state)

    def _apply_actions(self, run, ticket, actions, actor, agent, event, writes: RunChange,
                       change: TicketChange | None) -> None:
        field_changes: dict = {}  # consecutive group/assignee/status changes, applied as one ticket change
        messages = []
        for action in actions:
            if isinstance(action, (SetGroup, SetAssignee, SetStatus)):
                self._collect_field_change(run, ticket, action, field_changes, change)
                continue
            if field_changes:
                change.set(**field_changes)
                field_changes = {}
            if isinstance(action, engine.CreateTask):
                writes.create_task(action)
            elif isinstance(action, engine.CompleteTask):  # a logged call did the call task
                writes.close_tasks((action.task_key,), FollowUpTask.Status.DONE, action.reason, completed_by=agent,
                                   reached=event.reached if event else None)
            elif isinstance(action, engine.CancelTask):
                writes.close_tasks((action.task_key,), FollowUpTask.Status.MISSED, action.reason)
            elif isinstance(action, engine.CancelOpenTasks):
                writes.close_tasks(action.task_keys, FollowUpTask.Status.CANCELLED, action.reason)
            elif isinstance(action, engine.EndRun):
                writes.end(action.outcome)
            elif isinstance(action, SetFlag):
                writes.raise_flag(action.flag)
            elif isinstance(action, AddInternalNote):
                change.note(action.text)
            elif isinstance(action, SetOrderStatus):
                change.order_status(action.order_status)
            elif isinstance(action, engine.QueueMessage):
                messages.append(action)
        if field_changes:
            change.set(**field_changes)
        if messages:  # last, once every other change of the decision is accepted; the outbox writes at once,
            with transaction.atomic():  # so in a savepoint: a decision that fails leaves no message behind
                for action in messages:
                    self._queue_message(run, ticket, action, change)

    def _collect_field_change(self, run, ticket, action, changes: dict, change: TicketChange) -> None:
        if isinstance(action, SetStatus):
            changes["status"] = action.status
        elif isinstance(action, SetGroup):
            if action.group not in self.groups:
                self.groups[action.group] = Group.objects.filter(Q(name=action.group) | Q(key=action.group)).first()
            group = self.groups[action.group]
            if group is None:
                self._data_problem(change, f'there is no group "{action.group}"')
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
                self._data_problem(change, f"no active agent is {who}")
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

    def _queue_message(self, run, ticket, action: engine.QueueMessage, change: TicketChange) -> None:
        answered = signals.message_requested.send(
            sender=PlaybookRun, run=run, ticket=ticket, message_key=action.message_key, channel=action.channel,
            template=action.template, to=action.to,
        )
        if not answered:
            self._data_problem(change, f"no channel is installed to send the {action.channel} "
                                       f'"{action.template}" automatically; send it by hand')

    def _data_problem(self, change: TicketChange, problem: str) -> None:
        """Playbook data that does not match this installation: tell the agents on the ticket, go on."""
        change.note(f"Playbook {change.actor.label} could not act: {problem}.")


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
    calendars = calendar_set()
    decisions = [engine.start(registry.on_calendar(playbook, calendars), facts, now) for playbook in to_start]
    runs = start_runs(loaded, [(playbook, registry.definition_for(playbook)) for playbook in to_start], trigger_event,
                      now)
    _apply(runs, decisions, {loaded.pk: loaded}, now)
    return runs


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
    calendars = calendar_set()
    decisions = [engine.decide(registry.playbook_of(run.definition, calendars), engine.state_from_dict(run.state),
                               facts, event, now) for run in runs]
    _apply(runs, decisions, {loaded.pk: loaded}, now, agent=agent, event=event)


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
        calendars = calendar_set()
        decisions = []
        for run in runs:
            run.definition = definitions[run.definition_id]
            playbook = registry.playbook_of(run.definition, calendars)
            state = engine.state_from_dict(run.state)
            decisions.append(engine.decide(playbook, state, facts[run.ticket_id], tick, now))
        _apply(runs, decisions, tickets, now, skip_locked=True)
    return len(runs)


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
