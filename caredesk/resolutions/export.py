"""The CSV export of resolutions by week, root cause, resolution code and agent, streamed as it is read."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, time

from django.http import StreamingHttpResponse

from caredesk.resolutions.queries import export_rows


class _Echo:
    """A file for csv.writer that hands each written line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _start(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def csv_response(*, since: date | None = None, until: date | None = None) -> StreamingHttpResponse:
    """Resolutions recorded from `since` (included) to `until` (excluded), days in UTC."""
    writer = csv.writer(_Echo())
    rows = export_rows(since=_start(since), until=_start(until))
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="resolutions.csv"'
    return response
