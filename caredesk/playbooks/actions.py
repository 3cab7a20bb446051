"""The only writers of playbook runs, follow-up tasks and ticket flags, each change with its TicketEvent
(recorded through the ticket actions).

Plural first, as the ticket actions: the runner decides and writes a batch of runs through `RunChanges`
(tasks created and closed, flags raised, runs stepped, postponed or deferred, and their audit events,
staged per decision all or nothing and written together), and starts runs with `start_runs`. An agent's
changes (completing a task, cancelling a run, clearing a flag) are the functions below.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import IntegrityError, transaction

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.changes import audit_value
from caredesk.core.db import statements
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.playbooks import engine
from caredesk.playbooks.models import FollowUpTask, PlaybookDefinition, PlaybookRun, TicketFlag
from caredesk.playbooks.spec import CHANNELS, Playbook
from caredesk.tickets.actions import record_event, record_events
from caredesk.tickets.models import Ticket, TicketEvent

RUN_COLUMNS = ("state", "next_due_at", "status", "outcome", "ended_at", "updated_at", "failures", "last_error")


def start_runs(ticket: Ticket, playbooks: list[tuple[Playbook, PlaybookDefinition]], trigger_event: str,
               now: datetime) -> list[PlaybookRun]:
    """Runs of `playbooks` started on the ticket, due now, each with its "playbook.started" event; applying
    their first decisions is the runner's part (`RunChanges`)."""
    runs = PlaybookRun.objects.bulk_create([
        PlaybookRun(ticket=ticket, definition=definition, state={}, started_at=now, updated_at=now, next_due_at=now)
        for _, definition in playbooks
    ])
    record_events([
        TicketEvent.build(Actor.playbook(playbook.name, playbook.version), "playbook.started", ticket=ticket,
                          field="playbook", after={"playbook": playbook.name, "version": playbook.version,
                                                   "title": playbook.title, "trigger": trigger_event})
        for playbook, _ in playbooks
    ])
    return runs


class RunChanges:
    """The writes of a batch of runs' decisions: staged per decision in `deciding` blocks, written by `write`
    (task closings grouped by outcome, new tasks, flags, the audit events, and every run's row with one
    UPDATE statement run per run). Callers hold the transaction and the runs' locks."""

    def __init__(self, now: datetime, runs: list[PlaybookRun]):
        self.now = now
        # Open tasks of these runs by (run, key): closing a task is then an update by id, grouped at `write`.
        self.open_task_ids = {
            (run_id, key): task_id for task_id, run_id, key in FollowUpTask.objects.filter(
                run_id__in=[run.pk for run in runs], status=FollowUpTask.Status.OPEN,
            ).values_list("id", "run_id", "task_key")
        }
        self.new_tasks: list[FollowUpTask] = []
        self.events: list[TicketEvent] = []
        self.task_closings: dict[tuple, list[int]] = defaultdict(list)  # (status, reason, by, reached): ids
        self.flags: list[tuple[Ticket, str, Actor]] = []
        self.runs: list[PlaybookRun] = []

    @contextmanager
    def deciding(self, run: PlaybookRun, ticket: Ticket, actor: Actor) -> Iterator[RunChange]:
        """Stage one decision's writes, all or nothing: when the block raises, none of them are kept."""
        change = RunChange(self, run, ticket, actor)
        yield change
        self.new_tasks += change.new_tasks
        self.events += change.events
        self.flags += [(ticket, flag, actor) for flag in change.flags]
        for closing, key in change.closings:
            task_id = self.open_task_ids.pop((run.pk, key), None)
            if task_id is not None:
                self.task_closings[closing].append(task_id)

    def step(self, run: PlaybookRun, state: engine.RunState) -> None:
        """The run's new state, after its decision applied."""
        run.state = engine.state_to_dict(state)
        run.next_due_at = state.next_due_at
        run.status = PlaybookRun.Status.ENDED if state.status == engine.ENDED else PlaybookRun.Status.RUNNING
        run.outcome = state.outcome or ""
        run.ended_at = state.ended_at
        run.failures, run.last_error = 0, ""
        self._keep(run)

    def defer(self, run: PlaybookRun, until: datetime) -> None:
        """The run's step is tried again at `until`, unchanged (its ticket was busy)."""
        run.next_due_at = until
        self._keep(run)

    def postpone(self, run: PlaybookRun, error: Exception, until: datetime) -> None:
        """The run's step failed: it is retried at `until`, its state left as it was."""
        run.failures += 1
        run.last_error = f"{type(error).__name__}: {error}"[:2000]
        run.next_due_at = until
        self._keep(run)

    def _keep(self, run: PlaybookRun) -> None:
        run.updated_at = self.now
        self.runs.append(run)

    def write(self) -> None:
        for (status, reason, completed_by_id, reached), task_ids in self.task_closings.items():
            changes = {"status": status, "closed_reason": reason}
            if status == FollowUpTask.Status.DONE:  # only a logged call completes a task this way
                changes.update(completed_at=self.now, completed_by_id=completed_by_id, reached=reached,
                               channels_tried=["call"])
            FollowUpTask.objects.filter(pk__in=task_ids, status=FollowUpTask.Status.OPEN).update(**changes)
        statements.insert_rows(self.new_tasks)
        raise_flags(self.flags)
        record_events(self.events)
        statements.update_rows(self.runs, RUN_COLUMNS)
        self.new_tasks, self.events, self.task_closings, self.flags, self.runs = [], [], defaultdict(list), [], []


class RunChange:
    """One decision's writes in a `RunChanges.deciding` block."""

    def __init__(self, batch: RunChanges, run: PlaybookRun, ticket: Ticket, actor: Actor):
        self.batch, self.run, self.ticket, self.actor = batch, run, ticket, actor
        self.new_tasks: list[FollowUpTask] = []
        self.events: list[TicketEvent] = []
        self.closings: list[tuple[tuple, str]] = []  # ((status, reason, by, reached), task key)
        self.flags: list[str] = []

    def _record(self, action: str, field: str, after) -> None:
        event = TicketEvent.build(self.actor, action, ticket=self.ticket, field=field, after=after)
        event.at = self.batch.now
        self.events.append(event)

    def create_task(self, action: engine.CreateTask) -> None:
        channels = [{"channel": planned.channel, "to": list(planned.to)} for planned in action.channels]
        self.new_tasks.append(FollowUpTask(
            run=self.run, ticket=self.ticket, task_key=action.task_key, step_key=action.step_key, day=action.day,
            kind=action.kind, title=action.title[:250], channels=channels, due_at=action.due_at,
            overdue_at=action.overdue_at, assignee=self.ticket.assignee, created_at=self.batch.now,
        ))
        self._record("task.created", "task", {
            "task": action.task_key, "title": action.title, "kind": action.kind,
            "channels": [entry["channel"] for entry in channels], "due_at": audit_value(action.due_at),
            "overdue_at": audit_value(action.overdue_at),
        })

    def close_tasks(self, keys, status: str, reason: str, *, completed_by=None, reached: bool | None = None) -> None:
        """Close the run's open tasks of `keys` as done (a logged call), missed or cancelled."""
        keys = set(keys)
        done = status == FollowUpTask.Status.DONE
        for task in self.new_tasks:  # created earlier in this same decision, not written yet
            if task.task_key in keys and task.status == FollowUpTask.Status.OPEN:
                task.status, task.closed_reason = status, reason[:250]
                if done:
                    task.completed_at, task.completed_by, task.reached = self.batch.now, completed_by, reached
                    task.channels_tried = ["call"]
        closing = (status, reason[:250], completed_by.pk if completed_by and done else None, reached)
        self.closings += [(closing, key) for key in keys]
        self._record(f"task.{status}", "task", {"tasks": sorted(keys), "reason": reason})

    def end(self, outcome: str) -> None:
        self._record("playbook.ended", "playbook", {"playbook": self.run.definition.name, "outcome": outcome})

    def raise_flag(self, flag: str) -> None:
        self.flags.append(flag)


@transaction.atomic
def complete_task(task: FollowUpTask, *, agent, channels_tried: list[str], reached: bool) -> FollowUpTask:
    """An agent reports an attempt: what was actually tried and whether the customer was reached.

    The playbook takes it from there (the note "1/3", the status, the next step) in the same transaction.
    """
    from caredesk.playbooks import runner

    task = FollowUpTask.objects.select_for_update().select_related("run", "ticket").get(pk=task.pk)
    if task.status != FollowUpTask.Status.OPEN:
        raise Conflict(f"This task is already {task.status}.", field="task")
    unknown = sorted(set(channels_tried) - set(CHANNELS))
    if unknown:
        raise ValidationFailed(f"Unknown channel {unknown[0]!r}; channels are {', '.join(CHANNELS)}.",
                               field="channels_tried")
    if not channels_tried and not reached:
        raise ValidationFailed("Say which channels you tried, or that the customer was reached.",
                               field="channels_tried")
    now = clock.now()
    task.status, task.completed_at, task.completed_by = FollowUpTask.Status.DONE, now, agent
    task.channels_tried, task.reached = list(dict.fromkeys(channels_tried)), reached
    task.save(update_fields=["status", "completed_at", "completed_by", "channels_tried", "reached"])
    record_event(Actor.of_agent(agent), task.ticket, "task.completed", field="task", after={
        "task": task.task_key, "title": task.title, "channels_tried": task.channels_tried, "reached": reached,
        "late": now >= task.overdue_at,
    })
    runner.dispatch_to_run(task.run, "task_completed", agent=agent, task_key=task.task_key,
                           channels_tried=tuple(task.channels_tried), reached=reached)
    return task


def tick_channel_tried(ticket: Ticket, channel: str, *, actor: Actor, interaction=None) -> list[FollowUpTask]:
    """An agent reached out on `channel` from the ticket (an email reply, a text) while an attempt is open:
    the channel is ticked on each open attempt that planned it (or planned none), so the checklist shows it
    and the agent does not record it twice. Completing the attempt stays the agent's (`complete_task`)."""
    with transaction.atomic():
        tasks = [task for task in FollowUpTask.objects.select_for_update().filter(
            ticket=ticket, status=FollowUpTask.Status.OPEN).order_by("id")
            if channel not in task.channels_tried
            and (not task.channels or channel in {entry["channel"] for entry in task.channels})]
        for task in tasks:
            task.channels_tried = [*task.channels_tried, channel]
            task.save(update_fields=["channels_tried"])
        record_events([TicketEvent.build(actor, "task.channel_tried", ticket=ticket, interaction=interaction,
                                         field="task", after={"task": task.task_key, "title": task.title,
                                                              "channel": channel})
                       for task in tasks])
    return tasks


@transaction.atomic
def cancel_run(run: PlaybookRun, *, agent, reason: str = "") -> PlaybookRun:
    """An agent stops a running playbook (e.g. it was started by mistake)."""
    from caredesk.playbooks import runner

    run = PlaybookRun.objects.select_for_update().get(pk=run.pk)
    if run.status != PlaybookRun.Status.RUNNING:
        raise Conflict("This playbook is not running.", field="run")
    record_event(Actor.of_agent(agent), run.ticket, "playbook.cancelled", field="playbook",
                 after={"playbook": run.definition.name, "reason": reason[:500]})
    runner.dispatch_to_run(run, "run_cancelled", agent=agent)
    run.refresh_from_db()
    return run


def raise_flags(flags: list[tuple[Ticket, str, Actor]]) -> list[bool]:
    """Raise each (ticket, flag, by whom) unless the flag is already raised on the ticket; True for each one
    raised now, with its "flag.raised" event."""
    if not flags:
        return []
    raised = set(TicketFlag.objects.filter(ticket_id__in={ticket.pk for ticket, _, _ in flags}, cleared_at__isnull=True)
                 .values_list("ticket_id", "flag"))
    results, events = [], []
    for ticket, flag, actor in flags:
        if (ticket.pk, flag) in raised:
            results.append(False)
            continue
        try:
            with transaction.atomic():  # a concurrent transaction may raise it after the check
                TicketFlag.objects.create(ticket=ticket, flag=flag, raised_at=clock.now(), raised_by=actor.label)
        except IntegrityError:
            results.append(False)
            continue
        raised.add((ticket.pk, flag))
        events.append(TicketEvent.build(actor, "flag.raised", ticket=ticket, field="flags", after=flag))
        results.append(True)
    record_events(events)
    return results


def raise_flag(ticket: Ticket, flag: str, *, actor: Actor) -> bool:
    """Raise `flag` on the ticket unless it is already raised; True when it was raised now."""
    return raise_flags([(ticket, flag, actor)])[0]


@transaction.atomic
def clear_flag(ticket: Ticket, flag: str, *, agent) -> None:
    row = TicketFlag.objects.select_for_update().filter(ticket=ticket, flag=flag, cleared_at__isnull=True).first()
    if row is None:
        raise ValidationFailed(f"The flag {flag!r} is not raised on this ticket.", field="flag")
    row.cleared_at = clock.now()
    row.save(update_fields=["cleared_at"])
    record_event(Actor.of_agent(agent), ticket, "flag.cleared", field="flags", before=flag)


@transaction.atomic
def move_follow_ups(source: Ticket, target: Ticket, *, actor: Actor) -> int:
    """A merge moves the duplicate's follow-ups (its playbook runs with their tasks, and its raised flags) to
    the ticket it is merged into; `target` records "playbook.moved" for each run. Returns how many runs moved."""
    runs = list(PlaybookRun.objects.select_for_update().filter(ticket=source).select_related("definition")
                .order_by("id"))
    PlaybookRun.objects.filter(pk__in=[run.pk for run in runs]).update(ticket=target)
    FollowUpTask.objects.filter(ticket=source).update(ticket=target)
    TicketFlag.objects.filter(ticket=source, cleared_at__isnull=True).exclude(
        flag__in=TicketFlag.objects.filter(ticket=target, cleared_at__isnull=True).values("flag")
    ).update(ticket=target)
    record_events([TicketEvent.build(actor, "playbook.moved", ticket=target, field="playbook", after={
        "playbook": run.definition.name, "ticket": source.pk, "status": run.status}) for run in runs])
    return len(runs)
