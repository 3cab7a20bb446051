"""Playbooks in force, a ticket's runs, follow-up tasks and flags, and the compliance report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import available_timezones

from ninja import Query, Router, Schema, Status
from pydantic import Field, field_validator

from caredesk.api import lookups
from caredesk.api.auth import require
from caredesk.api.pagination import page_by_id
from caredesk.api.tickets import AgentRefOut
from caredesk.api.types import Day, Id, InputSchema, Instant, Key, LongText, PageSize, ShortText
from caredesk.calendars.queries import calendar_set_at, calendars_token
from caredesk.core import clock
from caredesk.core.roles import VIEW_REPORTS, WORK_TICKETS
from caredesk.playbooks import actions, registry, report
from caredesk.playbooks.describe import describe_run
from caredesk.playbooks.models import FollowUpTask, PlaybookRun, TicketFlag
from caredesk.playbooks.render import render_procedure
from caredesk.playbooks.spec import CHANNELS
from caredesk.tickets.models import Ticket

router = Router(tags=["playbooks"])


class PlaybookOut(Schema):
    name: str
    version: int
    title: str
    description: str
    sop: str | None
    trigger: str
    procedure: str


class RunOut(Schema):
    id: int
    ticket_id: int
    playbook: str
    version: int
    title: str
    status: str
    outcome: str
    cycle: int
    current_day: int | None
    last_step: str | None
    next_step: str | None
    next_step_day: int | None
    next_attempt_day: int | None
    next_due_at: datetime | None
    started_at: datetime
    ended_at: datetime | None
    last_error: str


class PlannedChannelOut(Schema):
    channel: str
    to: list[str]


class TaskOut(Schema):
    id: int
    ticket_id: int
    run_id: int
    task_key: str
    day: int
    kind: str
    title: str
    channels: list[PlannedChannelOut]
    status: str
    overdue: bool
    due_at: datetime
    overdue_at: datetime
    assignee: AgentRefOut | None
    completed_at: datetime | None
    completed_by: AgentRefOut | None
    channels_tried: list[str]
    reached: bool | None
    closed_reason: str


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskCompletionIn(InputSchema):
    channels_tried: list[Literal["email", "call", "text"]] = Field(default_factory=list, max_length=len(CHANNELS))
    reached: bool


class CancelIn(InputSchema):
    reason: LongText = ""


class FlagOut(Schema):
    flag: str
    raised_at: datetime
    raised_by: str


class ComplianceRowOut(Schema):
    playbook: str
    agent: str
    day: date
    required: int
    on_time: int
    late: int
    missed: int
    open: int
    closed_unresponsive: int
    handed_off_bot_issue: int
    refund_escalations: int
    customer_reached: int
    on_time_rate: float | None


class ComplianceOut(Schema):
    since: date
    until: date
    timezone: str
    rows: list[ComplianceRowOut]
    totals: dict[str, int]


def runs_described():
    """Runs with what describing them needs: the definition and the calendars' version token."""
    return PlaybookRun.objects.select_related("definition").annotate(calendars_token=calendars_token())


def run_out(run: PlaybookRun) -> dict:
    return describe_run(run, calendar_set_at(run.calendars_token))


def task_out(task: FollowUpTask, now: datetime) -> dict:
    return {**{name: getattr(task, name) for name in (
        "id", "ticket_id", "run_id", "task_key", "day", "kind", "title", "channels", "status", "due_at",
        "overdue_at", "assignee", "completed_at", "completed_by", "channels_tried", "reached", "closed_reason")},
        "overdue": task.is_overdue(now)}


def _tasks():
    return FollowUpTask.objects.select_related("assignee", "completed_by")


@router.get("/playbooks", response=list[PlaybookOut])
def list_playbooks(request):
    require(request, WORK_TICKETS)
    return [{"name": playbook.name, "version": playbook.version, "title": playbook.title,
             "description": playbook.description, "sop": playbook.sop, "trigger": playbook.trigger.event,
             "procedure": render_procedure(playbook)}
            for playbook in sorted(registry.in_force(), key=lambda playbook: playbook.name)]


@router.get("/tickets/{ticket_id}/playbook-runs", response=list[RunOut])
def ticket_runs(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return [run_out(run) for run in runs_described().filter(ticket=ticket)]


@router.post("/playbook-runs/{run_id}/cancel", response=RunOut)
def cancel_run(request, run_id: Id, payload: CancelIn):
    agent = require(request, WORK_TICKETS)
    run = lookups.get_or_404(PlaybookRun.objects.select_related("definition"), run_id)
    run = actions.cancel_run(run, agent=agent, reason=payload.reason)
    return run_out(runs_described().get(pk=run.pk))


@router.get("/tickets/{ticket_id}/tasks", response=list[TaskOut])
def ticket_tasks(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    now = clock.now()
    return [task_out(task, now) for task in _tasks().filter(ticket=ticket)]


class TaskFilters(Schema):
    assignee: ShortText | None = Field("me", description="A username, 'me' (default) or 'any'.")
    status: Literal["open", "done", "cancelled", "missed"] | None = "open"
    overdue: bool | None = None
    due_before: Instant | None = None
    cursor: str | None = None
    limit: PageSize = 50


@router.get("/tasks", response=TaskPage)
def list_tasks(request, filters: Query[TaskFilters]):
    """Follow-up tasks, by default the caller's open ones; `due_before=now` gives what is due now."""
    agent = require(request, WORK_TICKETS)
    tasks = _tasks()
    if filters.assignee == "me":
        tasks = tasks.filter(assignee=agent)
    elif filters.assignee not in (None, "any"):
        tasks = tasks.filter(assignee=lookups.agent(filters.assignee))
    if filters.status:
        tasks = tasks.filter(status=filters.status)
    now = clock.now()
    if filters.overdue is True:
        tasks = tasks.filter(status="open", overdue_at__lte=now)
    elif filters.overdue is False:
        tasks = tasks.exclude(status="open", overdue_at__lte=now)
    if filters.due_before:
        tasks = tasks.filter(due_at__lte=filters.due_before)
    items, next_cursor = page_by_id(tasks, cursor=filters.cursor, limit=filters.limit, descending=False)
    return {"items": [task_out(task, now) for task in items], "next_cursor": next_cursor}


@router.post("/tasks/{task_id}/complete", response=TaskOut)
def complete_task(request, task_id: Id, payload: TaskCompletionIn):
    """Report an attempt: the channels actually tried and whether the customer was reached."""
    agent = require(request, WORK_TICKETS)
    task = lookups.get_or_404(FollowUpTask.objects.all(), task_id)
    actions.complete_task(task, agent=agent, channels_tried=list(payload.channels_tried), reached=payload.reached)
    return task_out(_tasks().get(pk=task_id), clock.now())


@router.get("/tickets/{ticket_id}/flags", response=list[FlagOut])
def ticket_flags(request, ticket_id: Id):
    require(request, WORK_TICKETS)
    ticket = lookups.get_or_404(Ticket.objects.all(), ticket_id)
    return list(TicketFlag.objects.filter(ticket=ticket, cleared_at__isnull=True))


@router.delete("/tickets/{ticket_id}/flags/{flag}", response={204: None})
def clear_flag(request, ticket_id: Id, flag: Key):
    agent = require(request, WORK_TICKETS)
    actions.clear_flag(lookups.get_or_404(Ticket.objects.all(), ticket_id), flag, agent=agent)
    return Status(204, None)


class ComplianceFilters(Schema):
    since: Day | None = Field(None, description="First day (default: 6 days before `until`).")
    until: Day | None = Field(None, description="Last day (default: today).")
    timezone: ShortText = "UTC"
    playbook: Key | None = None
    agent: ShortText | None = None

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError("an IANA time zone such as America/New_York")
        return value


@router.get("/reports/compliance", response=ComplianceOut)
def compliance_report(request, filters: Query[ComplianceFilters]):
    require(request, VIEW_REPORTS)
    since, until = report.period(filters.since, filters.until, filters.timezone)
    rows = report.compliance(since, until, timezone=filters.timezone, playbook=filters.playbook,
                             agent=filters.agent)
    return {"since": since, "until": until, "timezone": filters.timezone,
            "rows": [row.as_dict() for row in rows], "totals": report.totals(rows)}
