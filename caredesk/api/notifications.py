"""The signed-in agent's notifications (the workspace's bell): list them, mark them read."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from caredesk.api.auth import require
from caredesk.api.types import Id, InputSchema
from caredesk.core.roles import WORK_TICKETS
from caredesk.notifications import actions, queries
from caredesk.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="The kind's key: assigned, customer_replied, mentioned, sla_warning, …")
    kind_name: str = Field(description="The kind as the team names it.")
    ticket_id: int | None
    text: str
    actor: str = Field(description="Who caused it (username, `customer`'s name, a playbook), or empty.")
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_kind(row: Notification) -> str:
        return row.kind.key

    @staticmethod
    def resolve_kind_name(row: Notification) -> str:
        return row.kind.name

    @staticmethod
    def resolve_actor(row: Notification) -> str:
        return row.actor_label


class NotificationsOut(Schema):
    unread: int = Field(description="How many of the agent's notifications are unread.")
    items: list[NotificationOut] = Field(description=f"The newest {queries.LIST_LIMIT}, newest first.")


class ListFilters(Schema):
    unread: bool = Field(False, description="Only the unread ones.")


class MarkReadIn(InputSchema):
    ids: list[Id] | None = Field(None, description="The notifications to mark read; none given: all of them.")


class MarkedOut(Schema):
    marked: int
    unread: int


@router.get("/notifications", response=NotificationsOut)
def list_notifications(request, filters: Query[ListFilters]):
    """The signed-in agent's notifications and unread count."""
    agent = require(request, WORK_TICKETS)
    return {"unread": queries.unread_count(agent), "items": queries.newest(agent, unread_only=filters.unread)}


@router.post("/notifications/read", response=MarkedOut)
def mark_notifications_read(request, payload: MarkReadIn):
    """Mark the given notifications (others' are ignored), or all, read."""
    agent = require(request, WORK_TICKETS)
    marked = actions.mark_read(agent, payload.ids)
    return {"marked": marked, "unread": queries.unread_count(agent)}
