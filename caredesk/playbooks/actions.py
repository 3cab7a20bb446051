"""The only writers of playbook runs, follow-up tasks and ticket flags, each with a TicketEvent."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from caredesk.core import clock
from caredesk.core.audit import Actor
from caredesk.core.errors import Conflict, ValidationFailed
from caredesk.playbooks.models import FollowUpTask, PlaybookRun, TicketFlag
from caredesk.playbooks.spec import CHANNELS
from caredesk.tickets.actions import record_event
from caredesk.tickets.models import Ticket


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


def raise_flag(ticket: Ticket, flag: str, *, actor: Actor) -> bool:
    """Raise `flag` on the ticket unless it is already raised; True when it was raised now."""
    if TicketFlag.objects.filter(ticket=ticket, flag=flag, cleared_at__isnull=True).exists():
        return False
    try:
        with transaction.atomic():
            TicketFlag.objects.create(ticket=ticket, flag=flag, raised_at=clock.now(), raised_by=actor.label)
    except IntegrityError:
        return False
    record_event(actor, ticket, "flag.raised", field="flags", after=flag)
    return True


@transaction.atomic
def clear_flag(ticket: Ticket, flag: str, *, agent) -> None:
    row = TicketFlag.objects.select_for_update().filter(ticket=ticket, flag=flag, cleared_at__isnull=True).first()
    if row is None:
        raise ValidationFailed(f"The flag {flag!r} is not raised on this ticket.", field="flag")
    row.cleared_at = clock.now()
    row.save(update_fields=["cleared_at"])
    record_event(Actor.of_agent(agent), ticket, "flag.cleared", field="flags", before=flag)
