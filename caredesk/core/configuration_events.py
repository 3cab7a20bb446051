"""The audit event kinds of a team's configuration changed in the admin (caredesk.core.actions,
`save_configuration`, `delete_configuration`): a row added, changed (the fields that changed, before and
after) or removed."""

from __future__ import annotations

from django.apps import apps

from caredesk.core.events import VALUE, EventKind, Quoted, Reading, register, value_text
from caredesk.core.models import ConfigurationEvent


def _names(reading: Reading) -> dict:
    event = reading.event
    try:
        what = apps.get_model(event.model)._meta.verbose_name
    except (LookupError, ValueError):  # a model since removed
        what = event.model.partition(".")[2]
    return {"what": what, "name": Quoted(event.object_label)}


def _changed(reading: Reading) -> dict:
    before, after = reading.before or {}, reading.after or {}
    changes = "; ".join(f"{name.replace('_', ' ')} from {value_text(before.get(name))} to {value_text(value)}"
                        for name, value in after.items())
    return {**_names(reading), "changes": changes}


def declare() -> None:
    register(
        ConfigurationEvent,
        EventKind("configuration.created", "added the {what} {name}", after=VALUE, values=_names),
        EventKind("configuration.changed", "changed the {what} {name}: {changes}", before=VALUE, after=VALUE,
                  values=_changed),
        EventKind("configuration.deleted", "removed the {what} {name}", before=VALUE, values=_names),
    )
