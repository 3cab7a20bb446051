"""Template helpers of the live workspace: the bell's unread count and the poll interval."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html

from caredesk.live.queries import encode, poll_state, poll_token

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


@register.simple_tag
def live_attributes(agent, ticket: int | None = None, refresh: str = "") -> str:
    """The <body> attributes of an agent's page that follows changes: what it watches (`ticket`; every ticket
    when `refresh` names the element to refresh) and the state it was rendered with, so a change made while it
    loads is not missed."""
    ticket = int(ticket) if ticket else None
    state, etag = encode(poll_state(agent.pk, ticket_id=ticket, tickets=bool(refresh)) or {})
    return format_html(' data-live-token="{}" data-live-ticket="{}" data-live-list="{}" data-live-state="{}" '
                       'data-live-etag="{}"', poll_token(agent.pk, ticket, bool(refresh)), ticket or "", refresh,
                       state, etag)
