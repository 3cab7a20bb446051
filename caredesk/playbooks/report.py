"""The compliance report: per playbook, agent and day, were the SOP's attempts made, and on time?"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncDate

from caredesk.core import clock
from caredesk.core.errors import ValidationFailed
from caredesk.playbooks.models import FollowUpTask, PlaybookRun

ATTEMPT_KINDS = ("attempt", "call")
DEFAULT_DAYS = 7
MAX_DAYS = 366
OUTCOME_COLUMNS = {
    "unresponsive_closed": "closed_unresponsive",
    "bot_issue_handed_off": "handed_off_bot_issue",
    "refund_escalation": "refund_escalations",
    "customer_reached": "customer_reached",
}


@dataclass
class ComplianceRow:
    playbook: str
    agent: str  # username of the agent responsible, or "(unassigned)"
    day: date
    required: int = 0  # attempts due that day
    on_time: int = 0
    late: int = 0
    missed: int = 0  # not done before the next attempt or the end (or still open past its day)
    open: int = 0  # due, not yet done, its day not over
    closed_unresponsive: int = 0
    handed_off_bot_issue: int = 0
    refund_escalations: int = 0
    customer_reached: int = 0

    @property
    def on_time_rate(self) -> float | None:
        judged = self.on_time + self.late + self.missed
        return self.on_time / judged if judged else None

    def as_dict(self) -> dict:
        return {**asdict(self), "day": self.day.isoformat(), "on_time_rate": self.on_time_rate}


COUNTED = [field.name for field in fields(ComplianceRow)][3:]


def period(since: date | None, until: date | None, timezone: str = "UTC", *,
           names: tuple[str, str] = ("since", "until")) -> tuple[date, date]:
    """The days a report covers: `until` defaults to today in `timezone`, `since` to a week up to `until`.
    `names` are what the door calls the two dates, for its errors (the workspace's "From" and "To")."""
    until = until or clock.now().astimezone(ZoneInfo(timezone)).date()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ValidationFailed(f"{names[0]} must not be after {names[1]}.", field="since")
    if (until - since).days > MAX_DAYS:
        raise ValidationFailed(f"A report covers at most {MAX_DAYS} days.", field="since")
    return since, until


def compliance(
    since: date, until: date, *, timezone: str = "UTC", playbook: str | None = None, agent: str | None = None
) -> list[ComplianceRow]:
    """Rows for every (playbook, agent, day) from `since` to `until` inclusive, days in `timezone`."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(since, time.min, zone)
    end = datetime.combine(until + timedelta(days=1), time.min, zone)
    now = clock.now()
    rows: dict[tuple[str, str, date], ComplianceRow] = {}

    def row(playbook_name, username, day) -> ComplianceRow:
        key = (playbook_name, username or "(unassigned)", day)
        if key not in rows:
            rows[key] = ComplianceRow(*key)
        return rows[key]

    done, missed, cancelled = FollowUpTask.Status.DONE, FollowUpTask.Status.MISSED, FollowUpTask.Status.CANCELLED
    tasks = FollowUpTask.objects.filter(kind__in=ATTEMPT_KINDS, due_at__gte=start, due_at__lt=end).exclude(
        status=cancelled)
    if playbook:
        tasks = tasks.filter(run__definition__name=playbook)
    if agent:
        tasks = tasks.filter(Q(assignee__username=agent) | Q(assignee__isnull=True, completed_by__username=agent))
    task_counts = (
        tasks.annotate(report_day=TruncDate("due_at", tzinfo=zone), playbook_name=F("run__definition__name"),
                       agent_name=Coalesce("assignee__username", "completed_by__username"))
        .values("playbook_name", "agent_name", "report_day")
        .annotate(
            required=Count("id"),
            on_time=Count("id", filter=Q(status=done, completed_at__lt=F("overdue_at"))),
            late=Count("id", filter=Q(status=done, completed_at__gte=F("overdue_at"))),
            missed=Count("id", filter=Q(status=missed) | Q(status=FollowUpTask.Status.OPEN, overdue_at__lte=now)),
            open=Count("id", filter=Q(status=FollowUpTask.Status.OPEN, overdue_at__gt=now)),
        )
    )
    for counts in task_counts:
        target = row(counts["playbook_name"], counts["agent_name"], counts["report_day"])
        for name in ("required", "on_time", "late", "missed", "open"):
            setattr(target, name, counts[name])

    runs = PlaybookRun.objects.filter(status=PlaybookRun.Status.ENDED, ended_at__gte=start, ended_at__lt=end,
                                      outcome__in=list(OUTCOME_COLUMNS))
    if playbook:
        runs = runs.filter(definition__name=playbook)
    if agent:
        runs = runs.filter(ticket__assignee__username=agent)
    run_counts = (runs.annotate(report_day=TruncDate("ended_at", tzinfo=zone), playbook_name=F("definition__name"),
                                agent_name=F("ticket__assignee__username"))
                  .values("playbook_name", "agent_name", "report_day", "outcome").annotate(total=Count("id")))
    for counts in run_counts:
        target = row(counts["playbook_name"], counts["agent_name"], counts["report_day"])
        column = OUTCOME_COLUMNS[counts["outcome"]]
        setattr(target, column, getattr(target, column) + counts["total"])
    return sorted(rows.values(), key=lambda item: (item.day, item.playbook, item.agent))


def totals(rows: list[ComplianceRow]) -> dict[str, int]:
    summed: dict[str, int] = defaultdict(int)
    for item in rows:
        for name in COUNTED:
            summed[name] += getattr(item, name)
    return dict(summed)
