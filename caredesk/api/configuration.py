"""The configuration's history: what admins added, changed or removed in the admin site (docs/audit.md)."""

from __future__ import annotations

from typing import Annotated

from ninja import Query, Router, Schema
from pydantic import StringConstraints

from caredesk.api.auth import require
from caredesk.api.customers import AuditEventOut, audit_events_out
from caredesk.api.pagination import page_by_id
from caredesk.api.types import PageSize
from caredesk.core.models import ConfigurationEvent
from caredesk.core.roles import CONFIGURE

router = Router(tags=["configuration"])


class ConfigurationEventOut(AuditEventOut):
    model: str
    object_id: str
    object_label: str


class ConfigurationEventPage(Schema):
    items: list[ConfigurationEventOut]
    next_cursor: str | None


class ConfigurationFilters(Schema):
    model: Annotated[str, StringConstraints(max_length=100, pattern=r"^[a-z_]+\.[a-z_]+$")] | None = None
    object_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    cursor: str | None = None
    limit: PageSize = 50


@router.get("/configuration-events", response=ConfigurationEventPage)
def configuration_events(request, filters: Query[ConfigurationFilters]):
    """Changes of the team's configuration made in the admin, newest first: of one kind of row (`model`, e.g.
    `tickets.group`, `calendars.businesscalendar`, `sla.slapolicy`) or one row (`object_id`). Admin only."""
    require(request, CONFIGURE)
    queryset = ConfigurationEvent.objects.all()
    if filters.model:
        queryset = queryset.filter(model=filters.model)
    if filters.object_id:
        queryset = queryset.filter(object_id=filters.object_id)
    rows, next_cursor = page_by_id(queryset, cursor=filters.cursor, limit=filters.limit)
    items = [ConfigurationEventOut(**out.dict(), model=row.model, object_id=row.object_id,
                                   object_label=row.object_label)
             for row, out in zip(rows, audit_events_out(rows))]
    return {"items": items, "next_cursor": next_cursor}
