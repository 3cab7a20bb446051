"""What the workspace, the API and the report read about priority and SLA clocks."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from django.db.models import Q

from caredesk.calendars.hours import BusinessHours
from caredesk.calendars.queries import business_hours, default_calendar
from caredesk.core import clock
from caredesk.sla import clocks
from caredesk.sla.models import SlaEvent, SlaTarget, TicketPriority, TicketSla
from caredesk.tickets.models import Ticket

SOON = timedelta(hours=4)


@dataclass
class ClockView:
    """One clock cycle as the ticket page shows it."""

    target: SlaTarget
    remaining_seconds: int  # business time left (negative: over)
    remaining_text: str
    paused_by: str
    pausing: list[str]
    promised: bool  # held to an update promised to the customer: nothing pauses it until the next public reply
    due_at: datetime | None
    breached: bool
    warned: bool
    timezone: str

    @property
    def state(self) -> str:
        return self.target.state

    @property
    def metric_name(self) -> str:
        name = self.target.metric_name
        return name if self.target.cycle == 1 else f"{name} (cycle {self.target.cycle})"


def _hours(sla: TicketSla | None) -> BusinessHours:
    calendar = (sla.policy.calendar if sla and sla.policy and sla.policy.calendar else None) or default_calendar()
    return business_hours(calendar) if calendar else BusinessHours()


def remaining_seconds(row: SlaTarget, hours: BusinessHours, now: datetime) -> int:
    """Business seconds left on a clock: to its due time while running, its unused target while paused."""
    if row.state == clocks.RUNNING and row.due_at is not None:
        if row.due_at >= now:
            return hours.seconds_between(now, row.due_at)
        return -hours.seconds_between(row.due_at, now)
    return row.target_minutes * 60 - row.used_seconds


def ticket_clocks(ticket: Ticket) -> dict:
    """The ticket's policy, its running and paused clocks (time left in business time, what pauses them), and
    the last clocks that ended."""
    sla = TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()
    rows = list(SlaTarget.objects.filter(ticket=ticket).order_by("started_at", "id"))
    hours, now = _hours(sla), clock.now()
    views = []
    for row in rows:
        left = remaining_seconds(row, hours, now)
        views.append(ClockView(
            target=row, remaining_seconds=left, remaining_text=clocks.describe_remaining(left),
            paused_by=row.paused_by, pausing=row.pausing_statuses, promised=row.promised, due_at=row.due_at,
            breached=row.breached_at is not None, warned=row.warned_at is not None, timezone=hours.timezone))
    open_views = [view for view in views if view.state in (clocks.RUNNING, clocks.PAUSED)]
    ended = [view for view in views if view.state not in (clocks.RUNNING, clocks.PAUSED)][-4:]
    return {"sla": sla, "policy": sla.policy if sla else None, "clocks": open_views, "ended_clocks": ended,
            "calendar_text": hours.describe(), "warnings": recent_warnings([ticket.pk])}


def recent_warnings(ticket_ids: list[int], limit: int = 10) -> list[SlaEvent]:
    return list(SlaEvent.objects.filter(ticket_id__in=ticket_ids, action__in=("sla.warned", "sla.breached"))
                .order_by("-at", "-id")[:limit])


def priority_of(ticket: Ticket) -> TicketPriority | None:
    return TicketPriority.objects.select_related("impact", "urgency").filter(ticket=ticket).first()


def how_priority_was_reached(ticket: Ticket, assessment: TicketPriority | None = None) -> str:
    if assessment is None:
        assessment = priority_of(ticket)
    if assessment is not None and assessment.explanation:
        return assessment.explanation
    return f"{ticket.priority_name} as the ticket was opened or set (no impact and urgency assessed)"


def breaching_soon(agent, *, within: timedelta = SOON, limit: int = 25) -> list[TicketSla]:
    """The agent's tickets whose next SLA breach is within `within` (or past), soonest first."""
    until = clock.now() + within
    return list(TicketSla.objects.filter(ticket__assignee=agent, next_breach_at__lte=until)
                .select_related("ticket", "policy").order_by("next_breach_at")[:limit])


# --- the report -------------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    policy: str
    metric: str
    group: str
    agent: str
    achieved: int
    breached: int
    median_minutes: float | None
    p90_minutes: float | None

    @property
    def total(self) -> int:
        return self.achieved + self.breached

    @property
    def achieved_percent(self) -> float | None:
        return round(100 * self.achieved / self.total, 1) if self.total else None


REPORT_COLUMNS = ("policy", "metric", "group", "agent", "achieved", "breached", "achieved_percent",
                  "median_minutes", "p90_minutes")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(share * (len(ordered) - 1)))))
    return ordered[index]


def report(start: date, end: date, *, zone: str = "UTC") -> list[ReportRow]:
    """Targets decided (fulfilled, or breached) between `start` and `end` (dates, inclusive, in `zone`), per
    policy, metric, group and agent: achieved, breached, median and 90th percentile business minutes used."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    since = datetime.combine(start, time.min, tzinfo=tz).astimezone(timezone.utc)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz).astimezone(timezone.utc)
    rows = (SlaTarget.objects.filter(Q(ended_at__gte=since, ended_at__lt=until, state=clocks.FULFILLED)
                                     | Q(breached_at__gte=since, breached_at__lt=until))
            .values_list("policy__name", "metric", "ticket__group__name", "ticket__assignee__username",
                         "breached_at", "used_seconds", "state"))
    groups: dict[tuple, dict] = {}
    for policy, metric, group, agent, breached_at, used, state in rows:
        key = (policy or "—", clocks.METRIC_NAMES[metric], group or "—", agent or "—")
        bucket = groups.setdefault(key, {"achieved": 0, "breached": 0, "minutes": []})
        if breached_at is not None:
            bucket["breached"] += 1
        else:
            bucket["achieved"] += 1
        if state == clocks.FULFILLED:
            bucket["minutes"].append(used / 60)
    result = []
    for key in sorted(groups):
        bucket = groups[key]
        minutes = bucket["minutes"]
        result.append(ReportRow(*key, achieved=bucket["achieved"], breached=bucket["breached"],
                                median_minutes=round(statistics.median(minutes), 1) if minutes else None,
                                p90_minutes=round(_percentile(minutes, 0.9), 1) if minutes else None))
    return result
