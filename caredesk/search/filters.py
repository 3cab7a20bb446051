"""Search filters from what a person or an API client names (keys, usernames, dates), checked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from caredesk.core.errors import ValidationFailed
from caredesk.core.models import Agent
from caredesk.search.engines import Filters
from caredesk.tickets.models import Group, Status, TicketType


def _entry(model, key: str | None, field: str):
    if not key:
        return None
    row = model.objects.filter(key=key).values_list("pk", flat=True).first()
    if row is None:
        raise ValidationFailed(f"Unknown {field.replace('_', ' ')} {key!r}.", field=field)
    return row


def _start_of(day: date | datetime | None, *, next_day: bool = False) -> datetime | None:
    if day is None or isinstance(day, datetime):
        return day
    moment = datetime.combine(day + timedelta(days=1) if next_day else day, time.min)
    return timezone.make_aware(moment, timezone.get_current_timezone())


def build(*, agent, status: list[str] | None = None, group: str | None = None, assignee: str | None = None,
          ticket_type: str | None = None, since: date | datetime | None = None,
          until: date | datetime | None = None) -> Filters:
    """Filters on the tickets of hits: statuses, a group and a type by key, an assignee by username (or
    "me"), and a period of the text's date (`until` a day: up to its end)."""
    statuses = [value for value in status or [] if value]
    unknown = [value for value in statuses if value not in Status.values]
    if unknown:
        raise ValidationFailed(f"Unknown status {unknown[0]!r}.", field="status")
    assignee_id = None
    if assignee == "me":
        assignee_id = agent.pk
    elif assignee:
        assignee_id = Agent.objects.filter(username=assignee).values_list("pk", flat=True).first()
        if assignee_id is None:
            raise ValidationFailed(f"No agent named {assignee!r}.", field="assignee")
    start, end = _start_of(since), _start_of(until, next_day=True)
    if start and end and end <= start:
        raise ValidationFailed("The period ends before it starts.", field="until")
    return Filters(status=statuses, group_id=_entry(Group, group, "group"), assignee_id=assignee_id,
                   ticket_type_id=_entry(TicketType, ticket_type, "type"), since=start, until=end)


def day(value: str, field: str) -> date | None:
    """A YYYY-MM-DD day typed in a form (empty: none)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{value!r} is not a day (YYYY-MM-DD).", field=field) from None
