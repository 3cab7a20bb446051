"""Template helpers of the agent workspace."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import format_html
from django.utils.timesince import timesince

from caredesk.core import clock
from caredesk.customers.contact import display_phone

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    """{% if user|can:"configure" %}: the same check the views make."""
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))


@register.filter
def ago(value: datetime | None) -> str:
    """"3 hours ago" measured on caredesk's clock, with the exact time in a tooltip."""
    if not value:
        return ""
    now = clock.now()
    text = "just now" if abs((now - value).total_seconds()) < 60 else (
        f"{timesince(value, now).split(',')[0]} ago" if value <= now else f"in {timesince(now, value).split(',')[0]}"
    )
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(),
                       value.strftime("%Y-%m-%d %H:%M UTC"), text)


@register.filter
def local_time(value: datetime | None, zone: str = "UTC") -> str:
    """"Mar 4, 9:00 AM EST": the time in a team's time zone (a playbook's days), UTC in a tooltip."""
    if not value:
        return ""
    local = value.astimezone(ZoneInfo(zone or "UTC"))
    text = f"{local:%a %b} {local.day}, {local.hour % 12 or 12}:{local:%M %p %Z}"
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(),
                       value.strftime("%Y-%m-%d %H:%M UTC"), text)


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "")


@register.filter
def phone(value: str) -> str:
    return display_phone(value)


@register.filter
def field_label(name: str) -> str:
    return (name or "").replace("_", " ")


@register.filter
def audit_text(value) -> str:
    """A readable picture of an audit value: {"id", "name"} -> name, lists joined."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, dict):
        if "name" in value:
            return str(value["name"])
        return ", ".join(f"{k}: {audit_text(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, (list, tuple)):
        return ", ".join(audit_text(v) for v in value)
    return str(value).replace("_", " ")


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


FIELD_LABELS = {"ticket_type": "type", "order_status": "order status", "flags": "flags"}
OUTBOUND_WORDS = {"queued": "queued the message for delivery", "sent": "delivered the message",
                  "failed": "could not deliver the message", "retry_scheduled": "will retry the delivery",
                  "provider_status": "got a delivery status"}
TASK_WORDS = {"completed": "completed", "done": "completed", "cancelled": "cancelled", "missed": "missed"}


def _short_time(value) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%b %-d, %H:%M UTC")
    except (TypeError, ValueError):
        return str(value or "")


@register.filter
def event_line(event) -> str:
    """One readable line for an audit event (after the actor's name)."""
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    action, field = event.action, event.field
    after = event.after if isinstance(event.after, dict) else {}
    title = after.get("title") or ""
    if action == "ticket.created":
        return "created the ticket"
    if action == "attachment.added":
        return format_html("added the document {}", after.get("filename", ""))
    if action == "follow_up.created" and after.get("ticket"):
        return format_html('a follow-up ticket <a href="{}">#{}</a> was opened',
                           reverse("web:ticket", args=[after["ticket"]]), after["ticket"])
    if action == "task.created":
        return format_html("planned the follow-up “{}”, due {}", title, _short_time(after.get("due_at")))
    if action.startswith("task."):
        verb = TASK_WORDS.get(action.split(".", 1)[1], action.split(".", 1)[1].replace("_", " "))
        return format_html("{} the follow-up “{}”", verb, title or after.get("task_key", ""))
    if action == "playbook.started":
        return format_html("started the playbook “{}”", title or after.get("name", ""))
    if action.startswith("playbook."):
        outcome = after.get("outcome") or ""
        return format_html("{} the playbook{}", action.split(".", 1)[1].replace("_", " "),
                           f" ({outcome.replace('_', ' ')})" if outcome else "")
    if action == "flag.raised":
        return format_html("raised the flag {}", audit_text(event.after))
    if action == "flag.cleared":
        return format_html("cleared the flag {}", audit_text(event.before))
    if action.startswith("escalation.") and after.get("description"):
        return format_html("escalation: {}", after["description"])
    if action.startswith("outbound."):
        return OUTBOUND_WORDS.get(action.split(".", 1)[1], action.replace(".", " ").replace("_", " "))
    if field:
        label = FIELD_LABELS.get(field, field.replace("_", " "))
        return format_html("changed {} from <em>{}</em> to <em>{}</em>", label, audit_text(event.before),
                           audit_text(event.after))
    return mark_safe(escape(action.replace(".", " ").replace("_", " ")))
