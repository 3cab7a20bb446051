"""The calendars' one write of their own: the version token. The team edits the calendars themselves in the
admin (caredesk.calendars.admin), which calls `calendars_changed` in the same transaction."""

from __future__ import annotations

import uuid

from caredesk.calendars.models import CalendarsVersion


def calendars_changed() -> None:
    """A calendar changed: every process's snapshot of the calendars is out of date (a new token, written in
    the change's transaction)."""
    CalendarsVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
