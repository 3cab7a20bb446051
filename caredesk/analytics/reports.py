"""The reports: each a `Figure` (a chart's labels and series, and the table beside it) computed for `Filters`
from the per-ticket facts, the surveys, the clarifications and the resolutions. The workspace, the API and the
CSV exports all read these functions, so they show the same figures.

Days and weeks are counted in the filter's time zone; a range is [since 00:00, until + 1 day 00:00) there.
Durations are in hours; business time is counted on the default business-hours calendar.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, QuerySet
from django.db.models.functions import TruncDate, TruncWeek

from caredesk.analytics import business
from caredesk.analytics.models import TicketFacts
from caredesk.clarifications.models import Clarification
from caredesk.core import clock
from caredesk.core.errors import ValidationFailed
from caredesk.resolutions.models import Resolution, ResolutionCode, RootCause
from caredesk.surveys import rules as survey_rules
from caredesk.surveys.models import NpsSurvey, RatingReview, Survey
from caredesk.tickets.models import Category, Channel, Priority, Tag, Ticket

DEFAULT_DAYS = 30
MAX_DAYS = 3660
TOP = 8
AGE_BUCKETS = [("under 1 day", 0, 1), ("1-3 days", 1, 3), ("3-7 days", 3, 7), ("7-14 days", 7, 14),
               ("14-30 days", 14, 30), ("30 days or more", 30, None)]
CUSTOMER_BUCKETS = [("1 ticket", 1, 1), ("2 tickets", 2, 2), ("3-5 tickets", 3, 5), ("6-10 tickets", 6, 10),
                    ("more than 10", 11, None)]


@dataclass(frozen=True)
class Filters:
    since: date
    until: date
    timezone: str = "UTC"
    group: int | None = None
    agent: int | None = None
    category: int | None = None
    channel: str | None = None
    priority: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=self.zone)

    def as_query(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}


def filters(*, since: date | None = None, until: date | None = None, timezone: str | None = None,
            **dimensions) -> Filters:
    """Checked filters: the time zone defaults to the team's (its default business-hours calendar's), the range
    to the last 30 days up to today there."""
    timezone = timezone or business.timezone()
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(f"{timezone!r} is not a time zone (use an IANA name such as America/New_York).",
                               field="timezone") from None
    until = until or clock.now().astimezone(zone).date()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ValidationFailed("since must not be after until.", field="since")
    if (until - since).days >= MAX_DAYS:
        raise ValidationFailed(f"A report covers at most {MAX_DAYS} days.", field="since")
    if dimensions.get("channel") and dimensions["channel"] not in Channel.values:
        raise ValidationFailed(f"Channel must be one of {', '.join(Channel.values)}.", field="channel")
    if dimensions.get("priority") and dimensions["priority"] not in Priority.values:
        raise ValidationFailed("Priority must be 1 (low) to 4 (urgent).", field="priority")
    return Filters(since, until, timezone, **{key: value or None for key, value in dimensions.items()})


@dataclass
class Figure:
    key: str
    title: str
    chart: str  # a Chart.js type: "line", "bar", "doughnut"; "" for a table alone
    columns: list[str]
    rows: list[list]
    labels: list[str] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)  # [{"label", "data"}]
    stacked: bool = False
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


# --- building blocks -------------------------------------------------------------------------------


def _dimensions(chosen: Filters, prefix: str = "") -> Q:
    """The filter's dimensions on the facts (or on rows joined to the facts through `prefix`)."""
    names = {"group": "group_id", "agent": "assignee_id", "category": "category_id", "channel": "channel",
             "priority": "priority"}
    conditions = {f"{prefix}{column}": getattr(chosen, name) for name, column in names.items()
                  if getattr(chosen, name) is not None}
    return Q(**conditions)


def _in_range(chosen: Filters, column: str) -> Q:
    return Q(**{f"{column}__gte": chosen.start, f"{column}__lt": chosen.end})


def _days(chosen: Filters) -> list[date]:
    return [chosen.since + timedelta(days=offset) for offset in range((chosen.until - chosen.since).days + 1)]


def _weeks(chosen: Filters) -> list[date]:
    first = chosen.since - timedelta(days=chosen.since.weekday())
    return [first + timedelta(weeks=offset) for offset in range((chosen.until - first).days // 7 + 1)]


def _per_day(rows: QuerySet, column: str, chosen: Filters) -> dict[date, int]:
    counted = (rows.filter(_in_range(chosen, column)).annotate(day=TruncDate(column, tzinfo=chosen.zone))
               .values("day").annotate(count=Count("pk")).values_list("day", "count"))
    return dict(counted)


def _week_of(value) -> date:
    return value.date() if isinstance(value, datetime) else value


class _Percentiles(Aggregate):
    """PostgreSQL's percentile_cont of several fractions at once: one sort of the column for all of them."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: tuple[float, ...]):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(expression, fractions=", ".join(str(float(value)) for value in fractions),
                         output_field=ArrayField(FloatField()))


def _medians_and_p90s(rows: QuerySet, columns: tuple[str, ...]) -> dict[str, tuple[float | None, float | None, int]]:
    """Per column (seconds): the median, the 90th percentile and how many values; one query on PostgreSQL."""
    if connection.vendor == "postgresql":
        found = rows.aggregate(**{f"{name}_{column}": aggregate for column in columns for name, aggregate in (
            ("percentiles", _Percentiles(column, (0.5, 0.9))), ("count", Count(column)))})
        return {column: (*(found[f"percentiles_{column}"] or (None, None)), found[f"count_{column}"])
                for column in columns}
    result = {}
    for column in columns:
        values = list(rows.exclude(**{f"{column}__isnull": True}).order_by(column).values_list(column, flat=True))
        if len(values) < 2:
            single = float(values[0]) if values else None
            result[column] = (single, single, len(values))
        else:
            result[column] = (float(statistics.median(values)),
                              statistics.quantiles(values, n=10, method="inclusive")[8], len(values))
    return result


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


# --- the reports -----------------------------------------------------------------------------------


def volume(chosen: Filters) -> Figure:
    facts = TicketFacts.objects.filter(_dimensions(chosen))
    created, solved, reopened = (_per_day(facts, column, chosen)
                                 for column in ("created_at", "first_solved_at", "first_reopened_at"))
    days = _days(chosen)
    rows = [[day.isoformat(), created.get(day, 0), solved.get(day, 0), reopened.get(day, 0)] for day in days]
    return Figure("volume", "Tickets created, solved and reopened", "line",
                  ["day", "created", "solved", "reopened"], rows, labels=[row[0] for row in rows],
                  series=[{"label": name, "data": [row[index] for row in rows]}
                          for index, name in enumerate(("created", "solved", "reopened"), start=1)],
                  note="Solved counts a ticket on the day it was first solved; reopened, on the day it was first "
                       "reopened.")


def backlog(chosen: Filters) -> Figure:
    end = chosen.end
    buckets = {f"bucket_{index}": Count("pk", filter=Q(created_at__lte=end - timedelta(days=low))
                                        & (Q(created_at__gt=end - timedelta(days=high)) if high else Q()))
               for index, (_, low, high) in enumerate(AGE_BUCKETS)}
    created = TicketFacts.objects.filter(_dimensions(chosen), created_at__lt=end)
    # two counts rather than one with OR: the never-solved ones over their partial index, then those solved
    # after the end (none when the range ends today)
    never, later = (created.filter(first_solved_at__isnull=True).aggregate(**buckets),
                    created.filter(first_solved_at__gte=end).aggregate(**buckets))
    rows = [[label, never[f"bucket_{index}"] + later[f"bucket_{index}"]]
            for index, (label, _, _) in enumerate(AGE_BUCKETS)]
    return Figure("backlog", "Backlog by age at the end of the range", "bar", ["age", "tickets"], rows,
                  labels=[row[0] for row in rows], series=[{"label": "unsolved tickets", "data": [r[1] for r in rows]}],
                  note="Tickets created before the end of the range and not yet solved then.")


def one_touch(chosen: Filters) -> Figure:
    solved = (TicketFacts.objects.filter(_dimensions(chosen), _in_range(chosen, "first_solved_at"))
              .annotate(week=TruncWeek("first_solved_at", tzinfo=chosen.zone)).values("week")
              .annotate(solved=Count("pk"), one_touch=Count("pk", filter=Q(one_touch=True))))
    by_week = {_week_of(row["week"]): (row["solved"], row["one_touch"]) for row in solved}
    rows = []
    for week in _weeks(chosen):
        total, single = by_week.get(week, (0, 0))
        rows.append([week.isoformat(), total, single, _percent(single / total if total else None)])
    return Figure("one_touch", "One-touch resolution rate", "bar", ["week", "solved", "one_touch", "rate_percent"],
                  rows, labels=[row[0] for row in rows], series=[{"label": "one-touch %", "data": [r[3] for r in rows]}],
                  note="Solved after a single agent response and never reopened, by the week of the first solve.")


def response_times(chosen: Filters) -> Figure:
    base = TicketFacts.objects.filter(_dimensions(chosen))
    found = {**_medians_and_p90s(base.filter(_in_range(chosen, "first_response_at")),
                                 ("first_response_seconds", "first_response_business_seconds")),
             **_medians_and_p90s(base.filter(_in_range(chosen, "first_solved_at")),
                                 ("resolution_seconds", "resolution_business_seconds"))}
    rows = []
    for label, column in (("first response (calendar)", "first_response_seconds"),
                          ("first response (business)", "first_response_business_seconds"),
                          ("resolution (calendar)", "resolution_seconds"),
                          ("resolution (business)", "resolution_business_seconds")):
        median, p90, count = found[column]
        rows.append([label, _hours(median), _hours(p90), count])
    return Figure("response_times", "First response and resolution time (hours)", "bar",
                  ["measure", "median_hours", "p90_hours", "tickets"], rows, labels=[row[0] for row in rows],
                  series=[{"label": "median", "data": [r[1] for r in rows]},
                          {"label": "90th percentile", "data": [r[2] for r in rows]}],
                  note="First response: tickets first answered in the range; resolution: tickets first solved in "
                       "the range, from creation.")


def _survey_dimensions(chosen: Filters, prefix: str = "") -> Q:
    """The filter's dimensions on surveys (or rows joined to them through `prefix`): the agent and group the
    ticket had when solved, the ticket's category, channel and priority."""
    columns = {"agent": "agent_id", "group": "group_id", "category": "ticket__category_id",
               "channel": "ticket__channel", "priority": "ticket__priority"}
    return Q(**{f"{prefix}{column}": getattr(chosen, name) for name, column in columns.items()
                if getattr(chosen, name) is not None})


def _surveys(chosen: Filters) -> QuerySet:
    return Survey.objects.filter(_survey_dimensions(chosen), _in_range(chosen, "rated_at")).exclude(rating="")


def _names(path: str, kind: str) -> tuple[list[str], Callable[[dict], str]]:
    """The fields naming the agent or group at `path`, and how a row of them reads."""
    if kind == "agent":
        fields = [f"{path}__username", f"{path}__first_name", f"{path}__last_name"]
        return fields, lambda row: (" ".join(part for part in (row[fields[1]], row[fields[2]]) if part)
                                    or row[fields[0]] or "(unassigned)")
    fields = [f"{path}__name"]
    return fields, lambda row: row[fields[0]] or "(no group)"


def _csat_by(chosen: Filters, kind: str) -> Figure:
    """CSAT by the agent or group the ticket had when it was solved."""
    fields, name_of = _names(kind, kind)
    grouped = (_surveys(chosen).values(kind, *fields)
               .annotate(good=Count("pk", filter=Q(rating="good")), bad=Count("pk", filter=Q(rating="bad"))))
    rows = sorted(([name_of(row), row["good"], row["bad"], _percent(survey_rules.csat(row["good"], row["bad"]))]
                   for row in grouped), key=lambda row: row[0])
    good, bad = sum(row[1] for row in rows), sum(row[2] for row in rows)
    rows.append(["all", good, bad, _percent(survey_rules.csat(good, bad))])
    return Figure(f"csat_by_{kind}", f"CSAT by {kind}", "bar", [kind, "good", "bad", "csat_percent"], rows,
                  labels=[row[0] for row in rows], series=[{"label": "CSAT %", "data": [r[3] for r in rows]}],
                  note="CSAT = good / (good + bad), answers given in the range.")


def csat_by_agent(chosen: Filters) -> Figure:
    return _csat_by(chosen, "agent")


def csat_by_group(chosen: Filters) -> Figure:
    return _csat_by(chosen, "group")


def csat_comments(chosen: Filters) -> Figure:
    rows = [[rated.date().isoformat(), ticket, rating, reason or "", comment] for rated, ticket, rating, reason, comment in
            _surveys(chosen).exclude(comment="").order_by("-rated_at")
            .values_list("rated_at", "ticket_id", "rating", "reason__name", "comment")[:100]]
    return Figure("csat_comments", "Survey comments", "", ["answered", "ticket", "rating", "reason", "comment"], rows,
                  note="The latest 100 comments in the range.")


def rating_reviews(chosen: Filters) -> Figure:
    """The Team Supervisors' open tasks: bad ratings not yet reviewed, whatever the range, oldest first."""
    reviews = RatingReview.objects.filter(_survey_dimensions(chosen, "survey__"), status=RatingReview.Status.OPEN)
    rows = [[opened.date().isoformat(), ticket, agent or "(unassigned)", reason or "", comment]
            for opened, ticket, agent, reason, comment in reviews.order_by("created_at").values_list(
                "created_at", "survey__ticket_id", "survey__agent__username", "survey__reason__name",
                "survey__comment")[:200]]
    return Figure("rating_reviews", "Bad ratings to review", "", ["opened", "ticket", "agent", "reason", "comment"],
                  rows, note="Open reviews of bad ratings, whatever the range: a Team Supervisor finishes each on "
                             "its ticket's Satisfaction panel.")


def _nps_answers(chosen: Filters) -> QuerySet:
    """NPS answers given in the range, filtered on the ticket whose survey round asked them."""
    return NpsSurvey.objects.filter(_dimensions(chosen, "ticket__"), _in_range(chosen, "answered_at"),
                                    score__isnull=False)


def nps(chosen: Filters) -> Figure:
    scores = list(_nps_answers(chosen).values_list("score", flat=True))
    groups = {"promoters": 0, "passives": 0, "detractors": 0}
    for score in scores:
        groups[survey_rules.nps_group(score) + "s"] += 1
    score = survey_rules.nps(scores)
    rows = [[name, count] for name, count in groups.items()] + [["NPS", None if score is None else round(score, 1)]]
    return Figure("nps", "Net Promoter Score", "doughnut", ["group", "answers"], rows, labels=list(groups),
                  series=[{"label": "answers", "data": list(groups.values())}],
                  note="NPS = % promoters (9-10) - % detractors (0-6). Detractors to follow up: see the list below.")


def _nps_by(chosen: Filters, kind: str) -> Figure:
    """NPS by the agent or group of the ticket whose survey round asked the question."""
    path = {"agent": "ticket__assignee", "group": "ticket__group"}[kind]
    fields, name_of = _names(path, kind)
    grouped = _nps_answers(chosen).values(path, *fields).annotate(
        promoters=Count("pk", filter=Q(score__gte=9)), passives=Count("pk", filter=Q(score__gte=7, score__lte=8)),
        detractors=Count("pk", filter=Q(score__lte=6)))
    counted = sorted(([name_of(row), row["promoters"], row["passives"], row["detractors"]] for row in grouped),
                     key=lambda row: row[0])
    counted.append(["all", *(sum(row[index] for row in counted) for index in (1, 2, 3))])
    rows = [[*row, None if (score := survey_rules.nps_of(*row[1:])) is None else round(score, 1)]
            for row in counted]
    return Figure(f"nps_by_{kind}", f"NPS by {kind}", "bar", [kind, "promoters", "passives", "detractors", "nps"],
                  rows, labels=[row[0] for row in rows], series=[{"label": "NPS", "data": [r[4] for r in rows]}],
                  note="NPS of the answers given in the range, by the ticket whose survey asked the question.")


def nps_by_agent(chosen: Filters) -> Figure:
    return _nps_by(chosen, "agent")


def nps_by_group(chosen: Filters) -> Figure:
    return _nps_by(chosen, "group")


def nps_detractors(chosen: Filters) -> Figure:
    answers = _nps_answers(chosen).filter(score__lte=6).order_by("-answered_at")
    rows = [[answered.date().isoformat(), customer, ticket, score, comment] for answered, customer, ticket, score, comment
            in answers.values_list("answered_at", "customer__name", "ticket_id", "score", "comment")[:200]]
    return Figure("nps_detractors", "NPS detractors to follow up", "",
                  ["answered", "customer", "ticket", "score", "comment"], rows)


def _weekly_top(chosen: Filters, key: str, title: str, rows_of: QuerySet, column: str, created: str,
                names: dict[int, str], counted_as: str = "tickets", by: str = "tickets created") -> Figure:
    """The top names by `by` (rows of `rows_of`, at `created`) in the range, per week, with the change from the
    week before. Counted by `column` (an id; its names looked up afterwards, so the count joins no table of
    names)."""
    counted = (rows_of.annotate(week=TruncWeek(created, tzinfo=chosen.zone)).values(column, "week")
               .annotate(count=Count("pk")).values_list(column, "week", "count"))
    by_name: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for found, week, count in counted:
        by_name[names.get(found, "(none)")][_week_of(week)] += count
    weeks = _weeks(chosen)
    top = sorted(by_name, key=lambda label: (-sum(by_name[label].values()), label))[:TOP]
    rows = []
    for label in top:
        counts = [by_name[label].get(week, 0) for week in weeks]
        change = counts[-1] - counts[-2] if len(counts) > 1 else None
        rows.append([label, sum(counts), change, *counts])
    return Figure(key, title, "bar", [column.removesuffix("_id"), counted_as, "change_last_week",
                                      *(w.isoformat() for w in weeks)],
                  rows, labels=[week.isoformat() for week in weeks], stacked=True,
                  series=[{"label": row[0], "data": row[3:]} for row in rows],
                  note=f"The top {TOP} by {by} in the range, week by week (weeks start on Monday).")


def categories(chosen: Filters) -> Figure:
    facts = TicketFacts.objects.filter(_dimensions(chosen), _in_range(chosen, "created_at"))
    return _weekly_top(chosen, "categories", "Recurring issues: top categories by week", facts, "category_id",
                       "created_at", dict(Category.objects.values_list("pk", "name")))


def tags(chosen: Filters) -> Figure:
    through = Ticket.tags.through.objects.filter(_dimensions(chosen, "ticket__facts__"),
                                                 _in_range(chosen, "ticket__facts__created_at"))
    return _weekly_top(chosen, "tags", "Recurring issues: top tags by week", through, "tag_id",
                       "ticket__facts__created_at", dict(Tag.objects.values_list("pk", "name")))


def _resolutions(chosen: Filters, key: str, title: str, column: str, names: dict[int, str]) -> Figure:
    """SOP 004's resolutions ("helps track trends or recurring issues") by the week they were recorded; the
    filters apply to their ticket's facts (its assignee for the agent)."""
    recorded = Resolution.objects.filter(_dimensions(chosen, "ticket__facts__"), _in_range(chosen, "recorded_at"))
    return _weekly_top(chosen, key, title, recorded, column, "recorded_at", names, counted_as="resolutions",
                       by="resolutions recorded")


def root_causes(chosen: Filters) -> Figure:
    return _resolutions(chosen, "root_causes", "Recurring issues: top root causes by week", "root_cause_id",
                        dict(RootCause.objects.values_list("pk", "name")))


def resolution_codes(chosen: Filters) -> Figure:
    return _resolutions(chosen, "resolution_codes", "Recurring issues: top resolution codes by week",
                        "resolution_code_id", dict(ResolutionCode.objects.values_list("pk", "name")))


def customers(chosen: Filters) -> Figure:
    per_customer = (TicketFacts.objects.filter(_dimensions(chosen), _in_range(chosen, "created_at"))
                    .order_by().values("requester_id").annotate(count=Count("pk")).values("count"))
    inner, params = per_customer.query.sql_with_params()
    tickets = connection.ops.quote_name("count")
    buckets = ", ".join(f"SUM(CASE WHEN {tickets} >= {low}{f' AND {tickets} <= {high}' if high else ''} THEN 1 "
                        "ELSE 0 END)" for _, low, high in CUSTOMER_BUCKETS)
    with connection.cursor() as cursor:  # the buckets of the per-customer counts, counted in the database
        cursor.execute(f"SELECT {buckets} FROM ({inner}) per_customer", params)
        counts = {f"bucket_{index}": value or 0 for index, value in enumerate(cursor.fetchone())}
    rows = [[label, counts[f"bucket_{index}"]] for index, (label, _, _) in enumerate(CUSTOMER_BUCKETS)]
    return Figure("customers", "Tickets per customer", "bar", ["tickets_in_range", "customers"], rows,
                  labels=[row[0] for row in rows], series=[{"label": "customers", "data": [r[1] for r in rows]}],
                  note="How many customers opened 1, 2, 3-5... tickets in the range: repeat contacts point at "
                       "recurring issues.")


def clarifications(chosen: Filters) -> Figure:
    # the agent who filed the entry; the other dimensions are its ticket's
    entries = Clarification.objects.filter(_dimensions(replace(chosen, agent=None), "ticket__"),
                                           _in_range(chosen, "created_at"))
    if chosen.agent is not None:
        entries = entries.filter(agent_id=chosen.agent)
    counted = (entries.annotate(week=TruncWeek("created_at", tzinfo=chosen.zone))
               .values("category", "sub_category__name", "agent__username", "week").annotate(count=Count("pk"))
               .order_by("category", "sub_category__name", "agent__username", "week"))
    labels = dict(Clarification._meta.get_field("category").choices)
    rows = [[labels[row["category"]], row["sub_category__name"], row["agent__username"],
             _week_of(row["week"]).isoformat(), row["count"]] for row in counted]
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[f"{row[0]} › {row[1]}"] += row[4]
    return Figure("clarifications", "Care clarifications by category", "bar",
                  ["category", "sub_category", "agent", "week", "entries"], rows, labels=list(totals),
                  series=[{"label": "entries", "data": list(totals.values())}],
                  note="Entries of the Care Clarifications Form (SOP 000) by category, sub-category, agent and week.")


REPORTS: dict[str, Callable[[Filters], Figure]] = {
    "volume": volume, "backlog": backlog, "one_touch": one_touch, "response_times": response_times,
    "csat_by_agent": csat_by_agent, "csat_by_group": csat_by_group, "csat_comments": csat_comments,
    "rating_reviews": rating_reviews,
    "nps": nps, "nps_by_agent": nps_by_agent, "nps_by_group": nps_by_group, "nps_detractors": nps_detractors,
    "categories": categories, "tags": tags, "root_causes": root_causes, "resolution_codes": resolution_codes,
    "customers": customers, "clarifications": clarifications,
}


def report(key: str, chosen: Filters) -> Figure:
    if key not in REPORTS:
        raise ValidationFailed(f"No report {key!r}; reports: {', '.join(REPORTS)}.", field="report")
    return REPORTS[key](chosen)


# --- CSV ---------------------------------------------------------------------------------------------------

TICKET_COLUMNS = ["ticket", "created_at", "status", "group", "assignee", "category", "channel", "priority",
                  "first_response_at", "first_response_seconds", "first_response_business_seconds", "first_solved_at",
                  "resolution_seconds", "resolution_business_seconds", "first_reopened_at", "reopen_count",
                  "agent_replies", "one_touch"]


def ticket_rows(chosen: Filters) -> Iterator[list]:
    """Every ticket created in the range with its facts, read in chunks (flat memory for a year or more)."""
    rows = (TicketFacts.objects.filter(_dimensions(chosen), _in_range(chosen, "created_at")).order_by("created_at", "pk")
            .values_list("ticket_id", "created_at", "status", "group__name", "assignee__username", "category__name",
                         "channel", "priority", "first_response_at", "first_response_seconds",
                         "first_response_business_seconds", "first_solved_at", "resolution_seconds",
                         "resolution_business_seconds", "first_reopened_at", "reopen_count", "agent_replies",
                         "one_touch"))
    for row in rows.iterator(chunk_size=2000):
        yield [value.isoformat() if isinstance(value, datetime) else value for value in row]
