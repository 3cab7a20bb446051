"""Reads of resolutions and feedback: the rule of a ticket, the lists offered on it, the current resolution, a
team's feedback with its weekly count by root cause, the search and the export of resolutions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from caredesk.core import clock
from caredesk.resolutions import rules
from caredesk.resolutions.defaults import REQUIRED_FIELDS
from caredesk.resolutions.models import Feedback, FeedbackTeam, Resolution, ResolutionRule
from caredesk.tickets.models import Ticket


def rule_for(ticket: Ticket) -> ResolutionRule:
    """The ticket type's rule, else the rule for every type, else the shipped default (unsaved)."""
    rules_found = {rule.ticket_type_id: rule for rule in ResolutionRule.objects.filter(
        Q(ticket_type=None) | Q(ticket_type_id=ticket.ticket_type_id))}
    return (rules_found.get(ticket.ticket_type_id) or rules_found.get(None)
            or ResolutionRule(required_fields=REQUIRED_FIELDS, confirmation_required=True))


def entries_for(model, ticket_type_id: int | None) -> QuerySet:
    """The active entries of a typed list (root causes, resolution codes) offered on a ticket of that type."""
    offered = Q(ticket_types=None)
    if ticket_type_id is not None:
        offered |= Q(ticket_types=ticket_type_id)
    return model.objects.filter(offered, active=True).distinct().order_by("position", "name")


def current_resolution(ticket: Ticket, *, for_update: bool = False) -> Resolution | None:
    rows = Resolution.objects.filter(ticket_id=ticket.pk, current=True)
    if for_update:
        rows = rows.select_for_update(of=("self",))
    return rows.select_related("root_cause", "resolution_code", "article", "recorded_by", "ticket__requester").first()


# The confirmation states still pending: only a current resolution's counts (a reopened ticket's is over).
PENDING_CONFIRMATIONS = (Resolution.Confirmation.AWAITED, Resolution.Confirmation.SENT)


def search_resolutions(*, text: str = "", root_cause: str = "", agent: str = "", confirmation: str = "") -> QuerySet:
    """Resolutions, newest first, whose summary, reference or article title contains `text`, by root-cause key,
    agent and the state of the confirmation ("awaited" lists the confirmations agents still owe; "not_fixed" the
    resolutions the customer said did not fix the problem, which stopped being current then)."""
    rows = Resolution.objects.select_related("root_cause", "resolution_code", "article", "recorded_by", "ticket")
    if text.strip():
        rows = rows.filter(Q(summary__icontains=text.strip()) | Q(knowledge_base_reference__icontains=text.strip())
                           | Q(article__title__icontains=text.strip()))
    if root_cause:
        rows = rows.filter(root_cause__key=root_cause)
    if agent:
        rows = rows.filter(recorded_by__username=agent)
    if confirmation:
        rows = rows.filter(confirmation=confirmation)
        if confirmation in PENDING_CONFIRMATIONS:
            rows = rows.filter(current=True)
    return rows


def _root_cause_of_ticket():
    return Subquery(Resolution.objects.filter(ticket=OuterRef("ticket"), current=True)
                    .order_by("-recorded_at", "-id").values("root_cause__name")[:1])


def team_feedback(team: FeedbackTeam, limit: int = 100) -> list[Feedback]:
    return list(Feedback.objects.filter(team=team).select_related("ticket", "note", "shared_by")
                .annotate(root_cause=_root_cause_of_ticket()).order_by("-shared_at", "-id")[:limit])


@dataclass(frozen=True)
class WeeklyCount:
    week: date
    root_cause: str
    count: int


def weeks_ago(weeks: int) -> datetime:
    """The start of the week `weeks - 1` weeks before this one (Monday 00:00 UTC): `weeks` weeks, this one
    included."""
    monday = rules.week_of(clock.now()) - timedelta(weeks=weeks - 1)
    return datetime.combine(monday, time(), tzinfo=UTC)


def weekly_counts(team: FeedbackTeam, *, since: datetime) -> list[WeeklyCount]:
    """Feedback the team received since `since`, counted by week and by the root cause of its ticket's
    resolution ("Not solved yet" while the ticket has none), newest week first."""
    rows = (Feedback.objects.filter(team=team, shared_at__gte=since).annotate(root_cause=_root_cause_of_ticket())
            .values_list("shared_at", "root_cause"))
    counts = Counter((rules.week_of(shared_at), root_cause or "Not solved yet") for shared_at, root_cause in rows)
    return sorted((WeeklyCount(week, cause, count) for (week, cause), count in counts.items()),
                  key=lambda row: (-row.week.toordinal(), -row.count, row.root_cause))


EXPORT_HEADER = ["week", "root_cause", "resolution_code", "agent", "resolutions", "confirmed", "still_not_fixed"]


def export_rows(*, since: datetime | None = None, until: datetime | None = None) -> Iterator[list]:
    """The resolutions recorded between `since` and `until`, counted by week (its Monday, UTC), root cause,
    resolution code and the agent (or playbook) who recorded them: the header, then one row per group. The
    database counts; the groups are read in chunks."""
    rows = Resolution.objects.order_by()
    if since is not None:
        rows = rows.filter(recorded_at__gte=since)
    if until is not None:
        rows = rows.filter(recorded_at__lt=until)
    groups = (rows.values("recorded_week", "root_cause__name", "resolution_code__name", "recorded_by__username", "recorded_label")
              .annotate(resolutions=Count("id"),
                        confirmed=Count("id", filter=Q(confirmation=Resolution.Confirmation.CONFIRMED)),
                        not_fixed=Count("id", filter=Q(confirmation=Resolution.Confirmation.NOT_FIXED)))
              .order_by("recorded_week", "root_cause__name", "resolution_code__name", "recorded_by__username",
                        "recorded_label"))
    yield EXPORT_HEADER
    for group in groups.iterator(chunk_size=2000):
        yield [group["recorded_week"].isoformat(), group["root_cause__name"] or "",
               group["resolution_code__name"] or "", group["recorded_by__username"] or group["recorded_label"],
               group["resolutions"], group["confirmed"], group["not_fixed"]]
