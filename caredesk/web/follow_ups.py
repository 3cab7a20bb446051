"""Read side of the ticket page's Follow-up panel: a ticket's playbook runs with their tasks, and the flags
raised on it. Three queries whatever the number of runs and tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from caredesk.calendars.queries import calendar_set_at, calendars_token
from caredesk.playbooks.describe import describe_run
from caredesk.playbooks.models import FollowUpTask, PlaybookRun, TicketFlag
from caredesk.tickets.models import Ticket


@dataclass
class FollowUp:
    """One playbook run of the ticket as the panel shows it."""

    run: PlaybookRun
    summary: dict  # caredesk.playbooks.describe.describe_run
    open_tasks: list[FollowUpTask] = field(default_factory=list)
    closed_tasks: list[FollowUpTask] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.run.status == PlaybookRun.Status.RUNNING

    @property
    def overdue(self) -> bool:
        return any(task.overdue_now for task in self.open_tasks)


def ticket_follow_ups(ticket: Ticket, now: datetime) -> list[FollowUp]:
    """The ticket's runs, running ones first, newest first, each with its open and closed tasks (2 queries; the
    calendars' version token comes with the runs).

    Each task gets `overdue_now`: open and past the end of its day.
    """
    runs = list(PlaybookRun.objects.filter(ticket=ticket).select_related("definition")
                .annotate(calendars_token=calendars_token()).order_by("-started_at", "-id"))
    calendars = calendar_set_at(runs[0].calendars_token) if runs else None
    follow_ups = {run.pk: FollowUp(run, describe_run(run, calendars, now)) for run in runs}
    tasks = (FollowUpTask.objects.filter(ticket=ticket).select_related("assignee", "completed_by")
             .order_by("due_at", "id"))
    for task in tasks:
        task.overdue_now = task.is_overdue(now)
        follow_up = follow_ups.get(task.run_id)
        if follow_up is not None:
            (follow_up.open_tasks if task.status == FollowUpTask.Status.OPEN else follow_up.closed_tasks).append(task)
    return sorted(follow_ups.values(), key=lambda follow_up: not follow_up.running)


def raised_flags(ticket: Ticket) -> list[TicketFlag]:
    """The flags raised on the ticket and not cleared yet, oldest first (1 query)."""
    return list(TicketFlag.objects.filter(ticket=ticket, cleared_at__isnull=True).order_by("raised_at", "id"))


def ticket_task(ticket: Ticket, task_id: int) -> FollowUpTask | None:
    return FollowUpTask.objects.filter(ticket=ticket, pk=task_id).first()


def ticket_run(ticket: Ticket, run_id: int) -> PlaybookRun | None:
    return PlaybookRun.objects.filter(ticket=ticket, pk=run_id).select_related("definition").first()
