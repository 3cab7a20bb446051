"""Reports: the figures behind each chart of the Reports area, as JSON or CSV, and every ticket's facts as CSV.

Team Supervisors and Resolution Leads see everyone's figures; an agent sees their own (the `agent` filter is
theirs whatever is asked)."""

from __future__ import annotations

import csv
from typing import Any

from django.http import StreamingHttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from caredesk.analytics import reports
from caredesk.api.auth import require
from caredesk.api.types import Day, Id, Key
from caredesk.core.roles import VIEW_REPORTS, WORK_TICKETS

router = Router(tags=["reports"])


class FiltersIn(Schema):
    since: Day | None = Field(None, description="First day, in `timezone` (default: 30 days up to `until`).")
    until: Day | None = Field(None, description="Last day, included (default: today in `timezone`).")
    timezone: Key | None = Field(None, description="The IANA time zone the days and weeks are counted in "
                                 "(default: the team's, its default business-hours calendar's).")
    group: Id | None = None
    agent: Id | None = Field(None, description="Agents without the reports capability always get their own.")
    category: Id | None = None
    channel: Key | None = None
    priority: int | None = Field(None, ge=1, le=4)


class FigureOut(Schema):
    key: str
    title: str
    chart: str = Field(description='Its Chart.js type ("line", "bar", "doughnut"), "" for a table alone.')
    columns: list[str]
    rows: list[list[Any]]
    labels: list[str]
    series: list[dict]
    stacked: bool
    note: str
    filters: dict


def chosen_filters(request, given: FiltersIn) -> reports.Filters:
    """The filters asked for, with an agent's own id when they may not see others' figures."""
    agent = require(request, WORK_TICKETS)
    values = given.dict()
    if not agent.can(VIEW_REPORTS):
        values["agent"] = agent.pk
    return reports.filters(**values)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, columns: list[str], rows) -> StreamingHttpResponse:
    """A CSV streamed row by row: memory stays flat however long the range."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in _with_header(columns, rows)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_header(columns, rows):
    yield columns
    yield from rows


@router.get("/reports", response=list[str])
def list_reports(request):
    """The keys of the reports."""
    require(request, WORK_TICKETS)
    return list(reports.REPORTS)


@router.get("/reports/tickets.csv")
def tickets_csv(request, filters: Query[FiltersIn]):
    """Every ticket created in the range with its facts (times, first response, resolution, reopens), as CSV."""
    chosen = chosen_filters(request, filters)
    return csv_response(f"tickets-{chosen.since}-{chosen.until}.csv", reports.TICKET_COLUMNS,
                        reports.ticket_rows(chosen))


@router.get("/reports/{key}.csv")
def report_csv(request, key: Key, filters: Query[FiltersIn]):
    """One report's table as CSV."""
    chosen = chosen_filters(request, filters)
    figure = reports.report(key, chosen)
    return csv_response(f"{figure.key}-{chosen.since}-{chosen.until}.csv", figure.columns, iter(figure.rows))


@router.get("/reports/{key}", response=FigureOut)
def report(request, key: Key, filters: Query[FiltersIn]):
    """One report's figures: its chart's labels and series and the table beside it."""
    chosen = chosen_filters(request, filters)
    return {**reports.report(key, chosen).as_dict(), "filters": {
        key: str(value) for key, value in chosen.as_query().items()}}
