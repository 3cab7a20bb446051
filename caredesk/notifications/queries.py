"""Reading an agent's notifications: the unread count (the bell) and the newest first (the list)."""

from __future__ import annotations

from caredesk.notifications.models import Notification

LIST_LIMIT = 50


def unread_count(agent) -> int:
    """The agent's unread notifications (the index `notification_unread` answers it)."""
    return Notification.objects.filter(agent=agent, read_at__isnull=True).count()


def newest(agent, *, unread_only: bool = False, limit: int = LIST_LIMIT) -> list[Notification]:
    rows = Notification.objects.filter(agent=agent).select_related("kind", "ticket")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return list(rows.order_by("-id")[:limit])
