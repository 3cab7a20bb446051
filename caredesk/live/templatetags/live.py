"""Template helpers of the live workspace: the bell's unread count and the poll interval."""

from __future__ import annotations

from django import template
from django.conf import settings

from caredesk.notifications.queries import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(agent) -> int:
    return unread_count(agent)


@register.simple_tag
def live_poll_seconds() -> str:
    return f"{settings.LIVE_POLL_SECONDS:g}"


@register.simple_tag
def presence_beat_seconds() -> int:
    """How often a ticket page sends its presence heartbeat: a third of the time presence lasts."""
    return max(1, settings.PRESENCE_SECONDS // 3)
