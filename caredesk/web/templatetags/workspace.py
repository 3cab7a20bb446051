"""Template helpers of the agent workspace."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from caredesk.core import clock
from caredesk.customers.contact import display_phone

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    """{% if user|can:"configure" %}: the same check the views make."""
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))


def _exact(value: datetime) -> str:
    """The tooltip of a time: the exact moment in the agent's zone (activated for the page)."""
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@register.filter
def ago(value: datetime | None) -> str:
    """"3 hours ago" measured on caredesk's clock, with the exact time in the agent's zone in a tooltip.
    Built without format_html: a long timeline shows hundreds of these (the parts are escaped all the same)."""
    if not value:
        return ""
    now = clock.now()
    text = "just now" if abs((now - value).total_seconds()) < 60 else (
        f"{timesince(value, now).split(',')[0]} ago" if value <= now else f"in {timesince(now, value).split(',')[0]}"
    )
    exact = html.escape(_exact(value))
    return mark_safe(f'<time datetime="{value.isoformat()}" title="{exact}">{html.escape(text)}</time>')


@register.filter
def local_time(value: datetime | None, zone: str = "") -> str:
    """"Mar 4, 9:00 AM EST": the time in the agent's zone (activated for the page), with UTC in a tooltip.
    `zone` names another zone, for the rare time that must read in it; the workspace passes none."""
    if not value:
        return ""
    local = value.astimezone(ZoneInfo(zone)) if zone else timezone.localtime(value)
    text = f"{local:%a %b} {local.day}, {local.hour % 12 or 12}:{local:%M %p %Z}"
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(),
                       value.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M UTC"), text)


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "")


class BodyParts(NamedTuple):
    own: str
    forwarded: str


@register.filter
def body_parts(interaction) -> BodyParts:
    """(the message's own text, the forwarded or quoted rest) of an inbound email; the rest is collapsed."""
    position = (interaction.details or {}).get("forwarded_at")
    body = interaction.body or ""
    if not isinstance(position, int) or not 0 < position < len(body):
        return BodyParts(body, "")
    return BodyParts(body[:position].rstrip(), body[position:])


PLAYBOOK_ACTOR = re.compile(r"^([a-z0-9_]+)@v(\d+)$")  # caredesk.core.audit.Actor.playbook's label


@register.filter
def actor_name(label: str) -> str:
    """An author or actor label as agents read it: a playbook's `general_inquiry_follow_up@v2` as "General
    inquiry follow up · playbook v2"; any other label as it is."""
    match = PLAYBOOK_ACTOR.match(label or "")
    if match is None:
        return label
    return f"{match[1].replace('_', ' ').capitalize()} · playbook v{match[2]}"


@register.filter
def phone(value: str) -> str:
    return display_phone(value)


@register.filter
def field_label(name: str) -> str:
    return (name or "").replace("_", " ")


@register.simple_tag
def query_with(params: dict, **changes) -> str:
    """The query string of `params` with `changes` applied (a value of "" removes the key)."""
    from urllib.parse import urlencode

    merged = {k: v for k, v in params.items()}
    for key, value in changes.items():
        if value in ("", None):
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"
